import { parsePhoneNumberFromString } from "libphonenumber-js/min";
import { z } from "@hono/zod-openapi";

export interface NormalizedPhone {
  /** Calling code digits, e.g. 91. */
  countryCode: number;
  /** National significant number, digits only. */
  phone: string;
  /** +919876543210 */
  e164: string;
}

/** libphonenumber throws (rather than answering undefined) for a calling code no country uses, e.g. 0 or 21. */
function parsePhone(raw: string, callingCode: string) {
  try {
    return callingCode ? parsePhoneNumberFromString(raw, { defaultCallingCode: callingCode }) : parsePhoneNumberFromString(raw);
  } catch {
    return undefined;
  }
}

/**
 * Parses a phone from the SDK's `{country_code, mobile}` pair (country code with or without '+',
 * national number possibly formatted) or from a full international number. Undefined when it is not
 * a plausible number for that country.
 */
export function normalizePhone(mobile: string, countryCode?: string | number): NormalizedPhone | undefined {
  const digits = String(countryCode ?? "").replace(/^\+/, "").trim();
  if (digits && !/^\d{1,4}$/.test(digits)) return undefined;
  const raw = mobile.trim();
  if (raw.length > 32) return undefined;
  const parsed = parsePhone(raw, raw.startsWith("+") ? "" : digits);
  if (!parsed || !parsed.isValid()) return undefined;
  if (digits && parsed.countryCallingCode !== digits) return undefined;
  return { countryCode: Number(parsed.countryCallingCode), phone: parsed.nationalNumber, e164: parsed.number };
}

const emailSchema = z.email();

/** Lower-cased and trimmed, or undefined when it is not an email address. */
export function normalizeEmail(email: string): string | undefined {
  const value = email.trim().toLowerCase();
  if (value.length > 254) return undefined;
  return emailSchema.safeParse(value).success ? value : undefined;
}

/** Tells an email from a phone in a free `username`/`q` value. */
export function parseIdentifier(value: string, defaultCountryCode?: string): { email: string } | { phone: NormalizedPhone } | undefined {
  if (value.includes("@")) {
    const email = normalizeEmail(value);
    return email ? { email } : undefined;
  }
  const phone = normalizePhone(value, value.trim().startsWith("+") ? undefined : defaultCountryCode);
  return phone ? { phone } : undefined;
}
