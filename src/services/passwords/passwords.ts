import { hashPassword, verifyPassword, type PasswordCheck, type Peppers } from "../../crypto/password-hash";
import type { EventsRepo } from "../../db/events-repo";
import type { PasswordsRepo } from "../../db/passwords-repo";
import type { UserRecord, UsersRepo } from "../../db/users-repo";
import type { LoginGuard } from "../../durable/login-guard";
import { ApiError } from "../../errors";
import type { Notifier } from "../../notify";
import type { PlatformConfig } from "../../schemas/platform-config";
import type { Application } from "../tenants/applications";
import { beginLoginAttempt, type LoginAttempt } from "./login-throttle";
import { assertPasswordAllowed, policyError, type PasswordContext } from "./policy";
import { notifyAccountOwner } from "../profile/security-notices";
import { endAllSessions, type SessionDeps } from "../sessions/sessions";

/** The stores the account services (register, login, passwords) work with. */
export interface AccountDeps {
  users: UsersRepo;
  passwords: PasswordsRepo;
  events: EventsRepo;
  sessions: SessionDeps;
  guard: DurableObjectNamespace<LoginGuard>;
  peppers: Peppers;
  /** For the security notice a password change sends the account owner. */
  notifier: Notifier;
}

export type Tenant = Pick<Application, "id" | "config">;

/** The user's own contacts, which a password must not simply repeat. */
export function identityOf(record: Pick<UserRecord, "emails" | "phones">): PasswordContext {
  const email = record.emails.find((e) => e.active && e.primary)?.email;
  const phone = record.phones.find((p) => p.active && p.primary)?.phone;
  return { email, phone };
}

async function assertNotRecentlyUsed(stores: AccountDeps, settings: PlatformConfig["password_settings"], user: UserRecord, password: string) {
  const { required, count } = settings.history;
  if (!required || count <= 0) return;
  const recent = await stores.passwords.recentHashes(user.user.id, count);
  const hashes = [...new Set([user.user.passwordHash, ...recent].filter((h): h is string => !!h))].slice(0, count);
  const checks = await Promise.all(hashes.map((hash) => verifyPassword(password, hash, stores.peppers)));
  if (checks.some((c) => c.ok)) {
    throw policyError([{ rule: "history", message: `must not be one of your last ${count} passwords` }]);
  }
}

export interface SetPasswordInput {
  user: UserRecord;
  password: string;
  /** Who did it, for the audit trail: `user`, `system` or `platform:<client_id>`. */
  actor: string;
  /** Why, e.g. `update` (changed while logged in) or `reset` (forgot password). */
  reason: string;
  /** The session that stays (the one that changed the password); every other one ends. Omit to end all. */
  keepSessionId?: string;
  /**
   * Runs after the new password passed every rule and before it is written; throwing stops the
   * change. Reset flows use up their single-use code here, so a refused password does not burn it
   * and two requests racing with one code cannot both set a password.
   */
  claim?: () => Promise<void>;
}

/**
 * The one way a password is set on an existing account (update, every reset path, admin): policy,
 * history, hash, write with its history entry and audit event in one transaction, then the owner is
 * told (security notice) while every other session ends. Returns the ids of the sessions ended.
 */
export async function setPassword(stores: AccountDeps, app: Tenant, input: SetPasswordInput, now = new Date().toISOString()): Promise<string[]> {
  const { user } = input;
  await assertPasswordAllowed(input.password, app.config.password_settings, stores.passwords, identityOf(user));
  await assertNotRecentlyUsed(stores, app.config.password_settings, user, input.password);
  const hash = await hashPassword(input.password, stores.peppers);
  await input.claim?.();
  await stores.users.commit([
    stores.passwords.setCurrentStatement(app.id, user.user.id, hash, now),
    ...stores.passwords.historyStatements(app.id, user.user.id, hash, now),
    stores.events.insertStatement({
      applicationId: app.id,
      userId: user.user.id,
      type: "user.password_changed",
      title: input.reason === "reset" ? "Password reset" : "Password changed",
      subTitle: input.reason,
      actor: input.actor,
      visible: true,
      data: { reason: input.reason },
      createdAt: now,
    }),
  ]);
  // Alongside ending the sessions, so a slow provider never keeps the other sessions alive; never throws.
  const notified = notifyAccountOwner(stores.notifier, app, user, { purpose: input.reason === "reset" ? "password_reset" : "password_changed" });
  try {
    // After the write: a login racing with the change either used the old password and is ended here, or the new one.
    return await endAllSessions(stores.sessions, app.id, user.user.id, input.keepSessionId);
  } finally {
    await notified;
  }
}

/**
 * Checks a password for an account under the login throttle: a slot is taken before the
 * (constant-cost) check and a wrong password is counted before returning. `storedHash` undefined
 * (unknown user, no password) fails at the same cost. When the password is right,
 * `attempt.succeeded()` must be called; it can run alongside what follows.
 */
export async function checkPassword(
  stores: AccountDeps,
  app: Tenant,
  accountKey: string,
  storedHash: string | null | undefined,
  password: string,
  clientIp: string,
): Promise<{ check: PasswordCheck; attempt: LoginAttempt }> {
  const attempt = await beginLoginAttempt(stores.guard, app.id, app.config.account_lockout, accountKey, clientIp);
  const check = await verifyPassword(password, storedHash, stores.peppers);
  if (!check.ok) await attempt.failed();
  return { check, attempt };
}

/** Runs `work` while the throttle forgives a right password; waits for both, then reports the first failure. */
export async function alongsideSuccess<T>(attempt: LoginAttempt, work: () => Promise<T>): Promise<T> {
  const [forgiven, done] = await Promise.allSettled([attempt.succeeded(), work()]);
  if (done.status === "rejected") throw done.reason;
  if (forgiven.status === "rejected") throw forgiven.reason;
  return done.value;
}

/** The account key the throttle counts an existing user under, whichever contact they typed. */
export const userAccountKey = (userId: string) => `user:${userId}`;

/**
 * updatePassword: the current password is checked under the login throttle (a stolen session must
 * not become a way to guess it), then the new one is set and every other session ends.
 */
export async function changePassword(
  stores: AccountDeps,
  app: Tenant,
  input: { user: UserRecord; oldPassword: string; newPassword: string; sessionId: string; clientIp: string },
): Promise<string[]> {
  const { user } = input;
  if (!user.user.passwordHash) {
    throw new ApiError(400, "NO_PASSWORD", "This account has no password yet; set one with forgot password");
  }
  const { check, attempt } = await checkPassword(stores, app, userAccountKey(user.user.id), user.user.passwordHash, input.oldPassword, input.clientIp);
  if (!check.ok) throw new ApiError(400, "OLD_PASSWORD_INCORRECT", "The current password is incorrect");
  return alongsideSuccess(attempt, () =>
    setPassword(stores, app, { user, password: input.newPassword, actor: "user", reason: "update", keepSessionId: input.sessionId }),
  );
}
