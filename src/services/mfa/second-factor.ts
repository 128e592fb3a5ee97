import { decodeBase32IgnorePadding } from "@oslojs/encoding";
import type { AttributeCipher } from "../../crypto/attribute-cipher";
import type { Statement } from "../../db/batch";
import type { EventsRepo, NewEvent } from "../../db/events-repo";
import type { SecondFactorRepo, TotpRow } from "../../db/factors-repo";
import type { UserRecord, UsersRepo } from "../../db/users-repo";
import { userFactorGuard, type FactorGuard } from "../../durable/factor-guard";
import type { LoginGuard } from "../../durable/login-guard";
import { ApiError } from "../../errors";
import type { PlatformConfig } from "../../schemas/platform-config";
import { beginLoginAttempt } from "../passwords/login-throttle";
import { hashRecoveryCode, newRecoveryCodes } from "./recovery-codes";
import { enrollmentDetails, encodeTotpKey, matchingStep, newTotpKey } from "./totp";

export interface MfaSettings {
  enabled: boolean;
  /** `off`: never asked; `optional`: asked of users who enrolled; `required`: asked of everyone (enrolled at login). */
  required: "off" | "optional" | "required";
}

export type MfaTenant = { id: string; config: Pick<PlatformConfig, "name" | "account_lockout"> & { mfa: MfaSettings } };

export interface SecondFactorDeps {
  factors: SecondFactorRepo;
  users: UsersRepo;
  events: EventsRepo;
  /** Runs statements as one D1 transaction. */
  commit: (statements: Statement[]) => Promise<void>;
  guard: DurableObjectNamespace<FactorGuard>;
  loginGuard: DurableObjectNamespace<LoginGuard>;
  cipher: AttributeCipher;
  /** Keys the recovery-code HMACs (the password pepper). */
  pepper: string;
}

/** What proves the second factor: a current TOTP code or one unused recovery code. */
export interface FactorProof {
  code?: string;
  recovery_code?: string;
}

/** The name an authenticator app lists the account under: its primary email or phone. */
export const accountName = (user: UserRecord) =>
  user.emails.find((e) => e.primary)?.email ?? user.phones.find((p) => p.primary)?.phone ?? user.user.username;

export const secondFactorInvalid = () => new ApiError(401, "SECOND_FACTOR_INVALID", "The code is incorrect, expired or already used");

/** TOTP is offered at all: the application turned MFA on and its policy is not `off`. */
export const totpOffered = (mfa: MfaSettings) => mfa.enabled && mfa.required !== "off";

function assertOffered(app: MfaTenant) {
  if (!totpOffered(app.config.mfa)) throw new ApiError(403, "MFA_DISABLED", "Two-factor authentication is turned off for this application");
}

// The ciphertext is bound to the user: copied onto another user's row it does not decrypt.
const cipherBinding = (userId: string) => `totp-secret:${userId}`;

/** The secret, or undefined when the stored ciphertext does not open for this user (then no code can match). */
async function totpKey(stores: SecondFactorDeps, app: MfaTenant, row: TotpRow): Promise<Uint8Array | undefined> {
  try {
    return decodeBase32IgnorePadding(await stores.cipher.decrypt(app.id, cipherBinding(row.userId), row.secret));
  } catch (error) {
    console.error(JSON.stringify({ totp_secret_unreadable: row.userId, error: String(error) }));
    return undefined;
  }
}

/** The confirmed TOTP factor of the user, if any. */
export async function activeTotp(stores: SecondFactorDeps, app: MfaTenant, userId: string): Promise<TotpRow | undefined> {
  const row = await stores.factors.totp(app.id, userId);
  return row?.confirmedAt ? row : undefined;
}

/**
 * Checks a TOTP code (against `row`'s secret) or a recovery code under the exact login guard of the
 * account and client IP: a wrong code counts like a wrong password. A right TOTP code spends its
 * time step for good (a replay, even concurrent, is a wrong code); a recovery code is spent in D1.
 */
export async function proveSecondFactor(
  stores: SecondFactorDeps,
  app: MfaTenant,
  row: TotpRow,
  proof: FactorProof,
  clientIp: string,
  now = Date.now(),
): Promise<"totp" | "recovery_code"> {
  const attempt = await beginLoginAttempt(stores.loginGuard, app.id, app.config.account_lockout, `user:${row.userId}`, clientIp);
  let used: "totp" | "recovery_code" | undefined;
  if (proof.code !== undefined) {
    const key = await totpKey(stores, app, row);
    const step = key && matchingStep(key, proof.code, now);
    if (step !== undefined && (await userFactorGuard(stores.guard, app.id, row.userId).advanceStep("totp", step))) used = "totp";
  } else if (proof.recovery_code !== undefined && row.confirmedAt) {
    const hash = await hashRecoveryCode(stores.pepper, row.userId, proof.recovery_code);
    if (await stores.factors.useRecoveryCode(app.id, row.userId, hash, new Date(now).toISOString())) used = "recovery_code";
  }
  if (!used) {
    await attempt.failed();
    throw secondFactorInvalid();
  }
  await attempt.succeeded();
  return used;
}

const event = (app: MfaTenant, userId: string, type: string, title: string, actor: string, data: Record<string, unknown> = {}): NewEvent => ({
  applicationId: app.id,
  userId,
  type,
  title,
  actor,
  visible: true,
  data,
});

/**
 * Starts (or restarts) a TOTP enrollment: a new secret, stored encrypted and unconfirmed, shown once
 * with its otpauth:// URI and QR code. A confirmed factor must be disabled first.
 */
export async function startTotpEnrollment(stores: SecondFactorDeps, app: MfaTenant, user: UserRecord) {
  const userId = user.user.id;
  assertOffered(app);
  const key = newTotpKey();
  const sealed = await stores.cipher.encrypt(app.id, cipherBinding(userId), encodeTotpKey(key));
  if (!(await stores.factors.startEnrollment(app.id, userId, sealed, new Date().toISOString()))) {
    throw new ApiError(409, "MFA_ALREADY_ENABLED", "Two-factor authentication is already on; disable it first to enroll again");
  }
  return enrollmentDetails(key, app.config.name, accountName(user));
}

/**
 * Confirms the pending enrollment with a first code from the app: the factor is on from now, and
 * ten recovery codes are issued (shown once; only their HMACs are kept).
 */
export async function confirmTotpEnrollment(stores: SecondFactorDeps, app: MfaTenant, userId: string, code: string, clientIp: string) {
  assertOffered(app);
  const row = await stores.factors.totp(app.id, userId);
  if (!row || row.confirmedAt) {
    throw new ApiError(409, "MFA_NOT_PENDING", "No two-factor enrollment is waiting for confirmation; start one first");
  }
  await proveSecondFactor(stores, app, row, { code }, clientIp);
  const now = new Date().toISOString();
  const [confirmed] = await stores.factors.confirmStatement(app.id, userId, row.secret, now);
  // A racing enrollment replaced the secret (or another confirm won): this code confirmed nothing.
  if (!confirmed) throw new ApiError(409, "MFA_NOT_PENDING", "The enrollment changed meanwhile; start again");
  const codes = newRecoveryCodes();
  await stores.commit([
    ...stores.factors.replaceRecoveryCodesStatements(app.id, userId, await Promise.all(codes.map((c) => hashRecoveryCode(stores.pepper, userId, c)))),
    stores.events.insertStatement(event(app, userId, "user.mfa_enabled", "Two-factor authentication turned on", "user", { method: "totp" })),
  ]);
  return { recovery_codes: codes };
}

async function requireActive(stores: SecondFactorDeps, app: MfaTenant, userId: string): Promise<TotpRow> {
  const row = await activeTotp(stores, app, userId);
  if (!row) throw new ApiError(409, "MFA_NOT_ENABLED", "Two-factor authentication is not on for this account");
  return row;
}

/** Turns the factor off; needs a current code or a recovery code (a stolen session alone cannot). */
export async function disableTotp(stores: SecondFactorDeps, app: MfaTenant, userId: string, proof: FactorProof, clientIp: string) {
  const row = await requireActive(stores, app, userId);
  const used = await proveSecondFactor(stores, app, row, proof, clientIp);
  await stores.commit([
    ...stores.factors.removeStatements(app.id, userId),
    stores.events.insertStatement(event(app, userId, "user.mfa_disabled", "Two-factor authentication turned off", "user", { proof: used })),
  ]);
  await userFactorGuard(stores.guard, app.id, userId).clear();
}

/** Ten new recovery codes in place of the old ones (used or not); needs a current TOTP code. */
export async function regenerateRecoveryCodes(stores: SecondFactorDeps, app: MfaTenant, userId: string, code: string, clientIp: string) {
  const row = await requireActive(stores, app, userId);
  await proveSecondFactor(stores, app, row, { code }, clientIp);
  const codes = newRecoveryCodes();
  await stores.commit([
    ...stores.factors.replaceRecoveryCodesStatements(app.id, userId, await Promise.all(codes.map((c) => hashRecoveryCode(stores.pepper, userId, c)))),
    stores.events.insertStatement(event(app, userId, "user.mfa_recovery_codes_regenerated", "New recovery codes", "user")),
  ]);
  return { recovery_codes: codes };
}

export async function secondFactorStatus(stores: SecondFactorDeps, app: MfaTenant, userId: string) {
  const row = await stores.factors.totp(app.id, userId);
  return {
    offered: totpOffered(app.config.mfa),
    policy: app.config.mfa.enabled ? app.config.mfa.required : ("off" as const),
    totp: { enabled: !!row?.confirmedAt, pending: !!row && !row.confirmedAt, confirmed_at: row?.confirmedAt ?? null },
    recovery_codes_left: row?.confirmedAt ? await stores.factors.unusedRecoveryCodes(app.id, userId) : 0,
  };
}

/**
 * An admin removes the user's second factor (lost phone and codes): TOTP and recovery codes go, the
 * outstanding MFA tickets die, the reset is on the timeline. The caller ends the user's sessions.
 * Returns whether there was anything to reset.
 */
export async function resetSecondFactor(stores: SecondFactorDeps, app: MfaTenant, userId: string, actor: string): Promise<boolean> {
  const had = !!(await stores.factors.totp(app.id, userId));
  await stores.commit([
    ...stores.factors.removeStatements(app.id, userId),
    stores.events.insertStatement(event(app, userId, "user.mfa_reset", "Two-factor authentication reset by the store", actor, { had_totp: had })),
  ]);
  await userFactorGuard(stores.guard, app.id, userId).clear();
  return had;
}
