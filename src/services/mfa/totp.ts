import { encodeBase32UpperCaseNoPadding } from "@oslojs/encoding";
import { createTOTPKeyURI, generateHOTP } from "@oslojs/otp";
import { renderSVG } from "uqr";
import { constantTimeEqual, randomBytes } from "../../crypto/tokens";

/** RFC 6238 as every authenticator app implements it: SHA-1, 6 digits, 30-second steps. */
export const TOTP_DIGITS = 6;
export const TOTP_PERIOD_SECONDS = 30;
/** One step either side of now: a code typed as it rolled over, or a clock a little off, still works. */
const DRIFT_STEPS = 1;
/** 160 bits, the HMAC-SHA-1 block the RFC recommends and apps expect. */
const SECRET_BYTES = 20;

export const newTotpKey = (): Uint8Array => randomBytes(SECRET_BYTES);

export const encodeTotpKey = (key: Uint8Array): string => encodeBase32UpperCaseNoPadding(key);

/**
 * The time step `code` belongs to, or undefined when it matches none within the drift window. The
 * caller spends the step (FactorGuard.advanceStep), so a code seen once is never accepted again.
 */
export function matchingStep(key: Uint8Array, code: string, now: number): number | undefined {
  const current = Math.floor(now / 1000 / TOTP_PERIOD_SECONDS);
  let matched: number | undefined;
  // Every candidate is computed and compared, so the time taken says nothing about which one matched.
  for (let step = current - DRIFT_STEPS; step <= current + DRIFT_STEPS; step++) {
    if (constantTimeEqual(generateHOTP(key, BigInt(step), TOTP_DIGITS), code) && matched === undefined) matched = step;
  }
  return matched;
}

/** What an authenticator app needs: the secret to type in, the otpauth:// URI, and that URI as a QR code (SVG). */
export function enrollmentDetails(key: Uint8Array, issuer: string, accountName: string) {
  const uri = createTOTPKeyURI(issuer, accountName, key, TOTP_PERIOD_SECONDS, TOTP_DIGITS);
  return { secret: encodeTotpKey(key), uri, qr_svg: renderSVG(uri, { ecc: "M", border: 2 }) };
}
