import { attributeCipher } from "../crypto/attribute-cipher";
import { commitBatch } from "../db/batch";
import { database } from "../db/client";
import { EventsRepo } from "../db/events-repo";
import { PasskeysRepo, SecondFactorRepo } from "../db/factors-repo";
import { UsersRepo } from "../db/users-repo";
import { loadConfig } from "../env";
import type { AppContext } from "../http/context";
import { requireSecondFactor } from "../services/mfa/login-gate";
import type { SecondFactorDeps } from "../services/mfa/second-factor";
import type { PasskeyDeps } from "../services/passkeys/passkeys";

/** What the passkey services need, built from the request's bindings. */
export function passkeyDeps(c: AppContext): PasskeyDeps {
  const db = database(c.env.DB);
  return {
    passkeys: new PasskeysRepo(db),
    users: new UsersRepo(db),
    events: new EventsRepo(db),
    commit: (statements) => commitBatch(db, statements),
    guard: c.env.FACTOR_GUARD,
    loginGuard: c.env.LOGIN_GUARD,
  };
}

/** What the TOTP / recovery-code / MFA-ticket services need. */
export function secondFactorDeps(c: AppContext): SecondFactorDeps {
  const db = database(c.env.DB);
  const config = loadConfig(c.env);
  return {
    factors: new SecondFactorRepo(db),
    users: new UsersRepo(db),
    events: new EventsRepo(db),
    commit: (statements) => commitBatch(db, statements),
    guard: c.env.FACTOR_GUARD,
    loginGuard: c.env.LOGIN_GUARD,
    cipher: attributeCipher(config.attributeEncryptionKey),
    pepper: config.passwordPepper,
  };
}

/**
 * The one hook into every login: called where a login would make a session. When the user (or the
 * application's policy) needs a second factor and `method` has not supplied one, it throws 403
 * SECOND_FACTOR_REQUIRED with an MFA ticket and no session is made. With MFA off it reads nothing.
 */
export async function secondFactorGate(c: AppContext, userId: string, method: string): Promise<void> {
  await requireSecondFactor(secondFactorDeps(c), c.var.application, userId, method);
}
