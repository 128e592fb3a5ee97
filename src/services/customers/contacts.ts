import { newId } from "../../crypto/tokens";
import type { NewEmailRow, NewPhoneRow } from "../../db/customers-repo";
import { ApiError } from "../../errors";
import type { UserEmailsInput, UserPhoneNumbersInput } from "../../schemas/customers";
import { normalizeEmail, normalizePhone, type NormalizedPhone } from "../../schemas/contacts";

/**
 * Calling code assumed for a phone given without one (platform createUser has no country field;
 * Fynd's own examples are Indian numbers). `+`-prefixed numbers never use it.
 */
export const DEFAULT_COUNTRY_CODE = "91";

/** A 400 naming one body field, in the same shape as automatic validation failures. */
export function invalidField(field: string, message: string): ApiError {
  return new ApiError(400, "VALIDATION_FAILED", `Invalid body: ${field}: ${message}`, { fields: [{ field, message }] });
}

/** A phone typed by an admin: international (`+…`), or national with its calling code (default 91). */
export function adminPhone(value: string, countryCode?: string): NormalizedPhone | undefined {
  const international = value.trim().startsWith("+");
  return normalizePhone(value, international ? undefined : countryCode || DEFAULT_COUNTRY_CODE);
}

interface ContactFlags {
  primary: boolean;
  verified: boolean;
  active: boolean;
}

/** One primary among the active contacts of a kind when there are any; a primary must be active. */
function checkPrimaries(field: string, entries: ContactFlags[]) {
  entries.forEach((e, i) => {
    if (e.primary && !e.active) throw invalidField(`${field}.${i}.primary`, "an inactive contact cannot be primary");
  });
  const active = entries.filter((e) => e.active);
  const primaries = active.filter((e) => e.primary).length;
  if (active.length > 0 && primaries !== 1) {
    throw invalidField(field, `exactly one active entry must be primary (found ${primaries})`);
  }
}

function checkUnique(field: string, keys: string[]) {
  const seen = new Set<string>();
  keys.forEach((key, i) => {
    if (seen.has(key)) throw invalidField(`${field}.${i}`, `${key} is listed twice`);
    seen.add(key);
  });
}

/** The user's new email rows from an updateUser `emails` list, normalised and checked; throws 400. */
export function emailRows(applicationId: string, userId: string, entries: UserEmailsInput[], now: string): NewEmailRow[] {
  const rows = entries.map((entry, i) => {
    const email = normalizeEmail(entry.email);
    if (!email) throw invalidField(`emails.${i}.email`, "is not an email address");
    return { id: newId(), userId, applicationId, email, primary: entry.primary, verified: entry.verified, active: entry.active, createdAt: now };
  });
  checkUnique("emails", rows.map((r) => r.email));
  checkPrimaries("emails", rows);
  return rows;
}

/** The user's new phone rows from an updateUser `phone_numbers` list, normalised to E.164 and checked; throws 400. */
export function phoneRows(applicationId: string, userId: string, entries: UserPhoneNumbersInput[], now: string): NewPhoneRow[] {
  const rows = entries.map((entry, i) => {
    const phone = adminPhone(entry.phone, entry.country_code);
    if (!phone) throw invalidField(`phone_numbers.${i}.phone`, "is not a valid phone number for that country code");
    return {
      id: newId(),
      userId,
      applicationId,
      countryCode: phone.countryCode,
      phone: phone.phone,
      e164: phone.e164,
      primary: entry.primary,
      verified: entry.verified,
      active: entry.active,
      createdAt: now,
    };
  });
  checkUnique("phone_numbers", rows.map((r) => r.e164));
  checkPrimaries("phone_numbers", rows);
  return rows;
}
