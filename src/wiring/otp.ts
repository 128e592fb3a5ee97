import { CodeStore } from "../kv/code-store";
import { OtpStore } from "../kv/otp-store";
import { ContactsRepo } from "../db/contacts-repo";
import { database } from "../db/client";
import { EventsRepo } from "../db/events-repo";
import { UsersRepo } from "../db/users-repo";
import { AccountRepo } from "../db/account-repo";
import { IdentitiesRepo } from "../db/identities-repo";
import { sessionDeps } from "./accounts";
import { loadConfig } from "../env";
import { createNotifier } from "../notify";
import type { ContactVerificationLinkDeps } from "../services/profile/verify-contact";
import type { OtpAccountDeps } from "../services/login/otp";
import type { PasswordResetDeps } from "../services/passwords/reset";
import type { AppContext } from "../http/context";

export type OtpFlowDeps = OtpAccountDeps & PasswordResetDeps & ContactVerificationLinkDeps;

/** The stores, guard and notifier the OTP, reset and verification flows run on, for this request. */
export function otpFlowDeps(c: AppContext): OtpFlowDeps {
  const config = loadConfig(c.env);
  const db = database(c.env.DB);
  return {
    otps: new OtpStore(c.env.OTP_KV),
    codes: new CodeStore(c.env.OTP_KV),
    guard: c.env.OTP_GUARD,
    notifier: createNotifier(config, c.env.OTP_KV),
    secret: config.passwordPepper,
    linkBase: config.publicLinkBase,
    users: new UsersRepo(db),
    contacts: new ContactsRepo(db),
    events: new EventsRepo(db),
    account: new AccountRepo(db),
    identities: new IdentitiesRepo(db),
    sessions: sessionDeps(c),
  };
}
