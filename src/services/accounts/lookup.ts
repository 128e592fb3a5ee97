import type { UserRecord, UsersRepo } from "../../db/users-repo";
import { ApiError, invalidField } from "../../errors";
import { parseIdentifier } from "../../schemas/contacts";

/** Fynd's home market and its SDK examples: a phone number typed without `+<country code>` is read as Indian. */
export const DEFAULT_CALLING_CODE = "91";

export interface IdentifierLookup {
  /** The normalised email or E.164 phone; undefined when the value is neither. */
  identifier: string | undefined;
  user: UserRecord | undefined;
}

/** The user owning an email or phone typed in a free `username` / `q` field. */
export async function findUserByIdentifier(users: UsersRepo, applicationId: string, value: string): Promise<IdentifierLookup> {
  const parsed = parseIdentifier(value, DEFAULT_CALLING_CODE);
  if (!parsed) return { identifier: undefined, user: undefined };
  if ("email" in parsed) return { identifier: parsed.email, user: await users.findByEmail(applicationId, parsed.email) };
  return { identifier: parsed.phone.e164, user: await users.findByPhone(applicationId, parsed.phone.e164) };
}

/**
 * userExists: a documented enumeration exception, so an application can switch it off
 * (`user_exists_lookup: false` → 403).
 */
export async function userExists(users: UsersRepo, app: { id: string; config: { user_exists_lookup: boolean } }, q: string): Promise<boolean> {
  if (!app.config.user_exists_lookup) {
    throw new ApiError(403, "USER_EXISTS_DISABLED", "This application does not answer whether an account exists");
  }
  const { identifier, user } = await findUserByIdentifier(users, app.id, q);
  if (!identifier) {
    throw invalidField("query", "q", "not an email address or phone number");
  }
  return user !== undefined;
}
