import { hashPassword } from "../../crypto/password-hash";
import type { UserRecord } from "../../db/users-repo";
import { ApiError } from "../../errors";
import { alongsideSuccess, checkPassword, userAccountKey, type AccountDeps, type Tenant } from "../passwords/passwords";
import { findUserByIdentifier } from "../accounts/lookup";
import { accountUnusableReason, userStatus } from "../accounts/users";

const DAY_MS = 86_400_000;
/** At most one `user.login_failed` event per account in this window (a guessing run is one event, not thousands). */
const FAILED_LOGIN_EVENT_WINDOW_MS = 15 * 60_000;

/** The one answer to every wrong username/password combination, whether or not the account exists. */
export const invalidCredentials = () => new ApiError(401, "INVALID_CREDENTIALS", "The username or password is incorrect");

const UNUSABLE_CODES = {
  blocked: "ACCOUNT_BLOCKED",
  archived: "ACCOUNT_ARCHIVED",
  deleting: "ACCOUNT_DELETION_SCHEDULED",
  deleted: "ACCOUNT_DELETED",
} as const;

/**
 * Password login: the account (or, for an unknown username, the name itself) and the client IP are
 * throttled, then the password is checked at the same cost whether or not the user exists. Only a
 * correct password reveals that an account is blocked, archived, deleting or has an expired password.
 * A hash made with older parameters is upgraded. Ends with `startSession(user)` (the caller's
 * logIn), run alongside the throttle's bookkeeping so a login costs no extra round trip for it.
 */
export async function loginWithPassword<T>(
  stores: AccountDeps,
  app: Tenant,
  input: { username: string; password: string; clientIp: string },
  startSession: (user: UserRecord) => Promise<T>,
): Promise<{ user: UserRecord; session: T }> {
  if (!app.config.login.password) {
    throw new ApiError(403, "PASSWORD_LOGIN_DISABLED", "Password login is turned off for this application");
  }
  const { identifier, user } = await findUserByIdentifier(stores.users, app.id, input.username);
  const accountKey = user ? userAccountKey(user.user.id) : `name:${identifier ?? input.username.trim().toLowerCase()}`;
  const { check, attempt } = await checkPassword(stores, app, accountKey, user?.user.passwordHash, input.password, input.clientIp);
  if (!check.ok || !user) {
    await recordFailedLogin(stores, app, user);
    throw invalidCredentials();
  }
  return alongsideSuccess(attempt, async () => {
    assertUsable(app, user);
    if (check.needsRehash && user.user.passwordHash) {
      await stores.passwords.upgradeHash(app.id, user.user.id, user.user.passwordHash, await hashPassword(input.password, stores.peppers));
    }
    return { user, session: await startSession(user) };
  });
}

/** The audit (and webhook) trace of a wrong password; unknown usernames cost the same and record nothing. */
async function recordFailedLogin(stores: AccountDeps, app: Tenant, user: UserRecord | undefined) {
  await stores.events.recordUnlessRecent(
    {
      applicationId: app.id,
      userId: user?.user.id ?? null,
      type: "user.login_failed",
      title: "Failed login",
      subTitle: "wrong password",
      actor: "user",
      visible: false,
      data: { reason: "wrong_password" },
    },
    new Date(Date.now() - FAILED_LOGIN_EVENT_WINDOW_MS).toISOString(),
  );
}

function assertUsable(app: Tenant, user: UserRecord) {
  const unusable = accountUnusableReason(user.user);
  if (unusable) throw new ApiError(403, UNUSABLE_CODES[userStatus(user.user) as keyof typeof UNUSABLE_CODES], unusable);
  const expiry = app.config.password_settings.expiry;
  const changedAt = user.user.passwordChangedAt ? Date.parse(user.user.passwordChangedAt) : NaN;
  if (expiry.required && changedAt + expiry.duration * DAY_MS <= Date.now()) {
    throw new ApiError(403, "PASSWORD_EXPIRED", "The password has expired; set a new one with forgot password");
  }
}
