import { ApiError } from "../../errors";
import type { Channel } from "../../notify/purposes";
import { normalizeEmail, normalizePhone, type NormalizedPhone } from "../../schemas/contacts";

/** Where a message goes: a lower-cased email, or an E.164 phone for SMS. */
export interface Destination {
  channel: Channel;
  address: string;
}

/** The same 400 a zod failure gives, for checks zod cannot express (phone validity needs the country code). */
function invalidField(field: string, message: string): ApiError {
  return new ApiError(400, "VALIDATION_FAILED", `Invalid body: ${field}: ${message}`, { fields: [{ field, message }] });
}

export function mobileDestination(mobile: string, countryCode?: string): Destination & { phone: NormalizedPhone } {
  const phone = normalizePhone(mobile, countryCode);
  if (!phone) {
    throw invalidField(
      "mobile",
      countryCode ? "not a valid mobile number for this country code" : "not a valid number (send country_code, or the number as +<country><number>)",
    );
  }
  return { channel: "sms", address: phone.e164, phone };
}

export function emailDestination(email: string): Destination {
  const address = normalizeEmail(email);
  if (!address) throw invalidField("email", "not a valid email address");
  return { channel: "email", address };
}
