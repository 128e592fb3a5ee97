import { constantTimeEqual, sha256Hex } from "./tokens";

/**
 * Application tokens and platform client secrets are random secrets we issue, so a fast SHA-256 is
 * enough at rest (no dictionary to attack); user passwords use PBKDF2 instead (password-hash.ts).
 */
export async function hashCredential(secret: string): Promise<string> {
  return sha256Hex(secret);
}

export async function credentialMatches(secret: string, storedHash: string): Promise<boolean> {
  return constantTimeEqual(await hashCredential(secret), storedHash);
}
