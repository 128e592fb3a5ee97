import type { UsersRepo } from "../../db/users-repo";
import { ApiError } from "../../errors";
import { listPasskeys, removePasskey, type PasskeyDeps } from "../passkeys/passkeys";
import { endAllSessions, type SessionDeps } from "../sessions/sessions";
import { resetSecondFactor, type MfaTenant, type SecondFactorDeps } from "./second-factor";

/** Admin calls name a user by id; one of another application is as absent as an unknown one. */
async function assertCustomer(users: UsersRepo, applicationId: string, userId: string) {
  if (!(await users.findById(applicationId, userId))) throw new ApiError(404, "USER_NOT_FOUND", "No such user in this application");
}

export async function customerPasskeys(stores: PasskeyDeps, applicationId: string, userId: string) {
  await assertCustomer(stores.users, applicationId, userId);
  return listPasskeys(stores, applicationId, userId);
}

export async function removeCustomerPasskey(stores: PasskeyDeps, applicationId: string, userId: string, passkeyId: string, actor: string) {
  await assertCustomer(stores.users, applicationId, userId);
  await removePasskey(stores, applicationId, userId, passkeyId, actor);
}

/**
 * The store resets a customer's second factor (lost phone and recovery codes): TOTP and codes are
 * removed and every session ends, so whoever had the account signs in afresh. On the timeline.
 */
export async function resetCustomerSecondFactor(
  stores: SecondFactorDeps & { sessions: SessionDeps },
  app: MfaTenant,
  userId: string,
  actor: string,
) {
  await assertCustomer(stores.users, app.id, userId);
  const hadTotp = await resetSecondFactor(stores, app, userId, actor);
  const ended = await endAllSessions(stores.sessions, app.id, userId);
  return { success: true, had_totp: hadTotp, sessions_ended: ended.length };
}
