import type { NewUserRecord, UserRecord } from "../../db/users-repo";
import { newId, randomBytes } from "../../crypto/tokens";
import type { UserSchema, UserSearchSchema } from "../../schemas/user";

/** Unset values are left out rather than sent as null: the SDK's models (Joi) accept a missing string, never a null one. */
function withoutNulls<T extends Record<string, unknown>>(fields: T): { [K in keyof T]?: Exclude<T[K], null> } {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== null)) as { [K in keyof T]?: Exclude<T[K], null> };
}

const byPrimaryFirst = <T extends { primary: boolean; createdAt: string }>(a: T, b: T) =>
  Number(b.primary) - Number(a.primary) || a.createdAt.localeCompare(b.createdAt);

/** The SDK's UserSchema. Inactive (released) contacts are history, not shown. */
export function toUserSchema({ user, emails, phones }: UserRecord): UserSchema {
  return {
    _id: user.id,
    user_id: user.id,
    application_id: user.applicationId,
    first_name: user.firstName,
    last_name: user.lastName,
    ...withoutNulls({
      gender: user.gender,
      dob: user.dob,
      external_id: user.externalId,
      rr_id: user.rrId,
      consent: user.consent as UserSchema["consent"] | null,
    }),
    phone_numbers: phones
      .filter((p) => p.active)
      .sort(byPrimaryFirst)
      .map((p) => ({ phone: p.phone, country_code: p.countryCode, active: p.active, primary: p.primary, verified: p.verified })),
    emails: emails
      .filter((e) => e.active)
      .sort(byPrimaryFirst)
      .map((e) => ({ email: e.email, active: e.active, primary: e.primary, verified: e.verified })),
    account_type: user.accountType,
    active: !user.blocked && !user.archived,
    profile_pic_url: user.profilePicUrl,
    username: user.username,
    meta: user.meta,
    has_password: user.passwordHash !== null,
    created_at: user.createdAt,
    updated_at: user.updatedAt,
  };
}

export function userStatus(user: UserRecord["user"]): "active" | "blocked" | "archived" | "deleting" | "deleted" {
  if (user.erasedAt) return "deleted";
  if (user.archived) return "archived";
  if (user.deleteOn) return "deleting";
  if (user.blocked) return "blocked";
  return "active";
}

/** Why a user may not use the storefront even with a valid cookie or the right password; undefined when usable. */
export function accountUnusableReason(user: UserRecord["user"]): string | undefined {
  if (user.archived || user.erasedAt) return "This account no longer exists";
  if (user.deleteOn) return "This account is scheduled for deletion";
  if (user.blocked) return "This account has been blocked; contact the store";
  return undefined;
}

/** UserSearchSchema for platform lists and search. */
export function toUserSearchSchema(record: UserRecord): UserSearchSchema {
  return {
    ...toUserSchema(record),
    archive: record.user.archived,
    status: userStatus(record.user),
    ...withoutNulls({ deleted_on: record.user.deleteOn }),
  };
}

/** Fynd-style username: the email or phone flattened, plus random digits (`jane_example_com_10039`). */
export function generateUsername(seed: string | undefined): string {
  const base = (seed ?? "user").toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "").slice(0, 40) || "user";
  const digits = new DataView(randomBytes(4).buffer).getUint32(0) % 100_000;
  return `${base}_${String(digits).padStart(5, "0")}`;
}

export interface NewUserInput {
  applicationId: string;
  firstName?: string;
  lastName?: string;
  gender?: string | null;
  dob?: string | null;
  email?: { email: string; verified: boolean };
  phone?: { countryCode: number; phone: string; e164: string; verified: boolean };
  passwordHash?: string | null;
  consent?: Record<string, unknown> | null;
  meta?: Record<string, unknown>;
  externalId?: string | null;
  rrId?: string | null;
  profilePicUrl?: string;
  username?: string;
}

/**
 * The rows of a new user: its first email and phone become the primaries. Every way of creating a
 * user (registration, OTP sign-up, social, platform createUser, import) goes through here, and
 * `UsersRepo.commit(repo.insertStatements(record))` writes it atomically.
 */
export function newUserRecord(input: NewUserInput, now = new Date().toISOString()): NewUserRecord & { id: string } {
  const id = newId();
  return {
    id,
    user: {
      id,
      applicationId: input.applicationId,
      username: input.username ?? generateUsername(input.email?.email ?? input.phone?.e164),
      firstName: input.firstName ?? "",
      lastName: input.lastName ?? "",
      gender: input.gender ?? null,
      dob: input.dob ?? null,
      profilePicUrl: input.profilePicUrl ?? "",
      meta: input.meta ?? {},
      externalId: input.externalId ?? null,
      rrId: input.rrId ?? null,
      consent: input.consent ?? null,
      passwordHash: input.passwordHash ?? null,
      passwordChangedAt: input.passwordHash ? now : null,
      createdAt: now,
      updatedAt: now,
    },
    emails: input.email
      ? [{ id: newId(), userId: id, applicationId: input.applicationId, email: input.email.email, primary: true, verified: input.email.verified, active: true, createdAt: now }]
      : [],
    phones: input.phone
      ? [{ id: newId(), userId: id, applicationId: input.applicationId, countryCode: input.phone.countryCode, phone: input.phone.phone, e164: input.phone.e164, primary: true, verified: input.phone.verified, active: true, createdAt: now }]
      : [],
  };
}
