import { encodeBase32LowerCaseNoPadding } from "@oslojs/encoding";
import { hmacSha256, randomBytes, toHex } from "../../crypto/tokens";

export const RECOVERY_CODE_COUNT = 10;

/**
 * Ten codes of 10 base32 characters (50 random bits each), shown once as `xxxxx-xxxxx`. Typed back
 * with or without the dash, in any case.
 */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const text = encodeBase32LowerCaseNoPadding(randomBytes(7)).slice(0, 10);
    return `${text.slice(0, 5)}-${text.slice(5)}`;
  });
}

const normalize = (code: string) => code.trim().toLowerCase().replace(/[\s-]/g, "");

/**
 * Stored as HMAC(pepper, user id + code): a leaked table alone cannot be searched for codes, and a
 * code of one user never matches another's row.
 */
export async function hashRecoveryCode(pepper: string, userId: string, code: string): Promise<string> {
  return toHex(await hmacSha256(pepper, `recovery-code:${userId}:${normalize(code)}`));
}
