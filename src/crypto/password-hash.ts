import { constantTimeEqual, fromBase64Url, hmacSha256, randomBytes, toBase64Url, toHex } from "./tokens";

/**
 * Password hashes: PBKDF2-HMAC-SHA256 over HMAC(pepper, password).
 *
 * Stored as `pbkdf2-sha256$<iterations>$<pepper id>$<salt>$<hash>` (salt and hash base64url), so the
 * iteration count and the pepper can change: a hash made with older parameters still verifies (the
 * previous pepper is kept as a second secret during a rotation) and is re-hashed at the next login.
 * The pepper id is a short HMAC of the pepper, so it names the secret without revealing it.
 */

/** Cloudflare's production runtime refuses PBKDF2 above 100,000 iterations. */
export const PBKDF2_ITERATIONS = 100_000;
const MAX_ITERATIONS = 100_000;
const SALT_BYTES = 16;
const HASH_BITS = 256;
const SCHEME = "pbkdf2-sha256";

export interface Peppers {
  current: string;
  /** The pepper before the last rotation; hashes made with it still verify and are upgraded. */
  previous?: string;
}

export type PasswordCheck = { ok: false } | { ok: true; needsRehash: boolean };

interface ParsedHash {
  iterations: number;
  pepperId: string;
  salt: Uint8Array;
  hash: Uint8Array;
}

const encoder = new TextEncoder();
const pepperIds = new Map<string, string>();

async function pepperId(pepper: string): Promise<string> {
  let id = pepperIds.get(pepper);
  if (!id) {
    id = toHex(await hmacSha256(pepper, "user-edge/pepper-id")).slice(0, 8);
    pepperIds.set(pepper, id);
  }
  return id;
}

/**
 * NFKC first (NIST SP 800-63B), so the same password typed on different keyboards matches; then the
 * pepper HMAC, which also makes every password 32 bytes: long passwords are never truncated.
 */
async function derive(password: string, pepper: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const peppered = await hmacSha256(pepper, encoder.encode(password.normalize("NFKC")));
  const key = await crypto.subtle.importKey("raw", peppered, "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, key, HASH_BITS);
  return new Uint8Array(bits);
}

function parse(stored: string): ParsedHash | undefined {
  const parts = stored.split("$");
  if (parts.length !== 5 || parts[0] !== SCHEME) return undefined;
  const iterations = Number(parts[1]);
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > MAX_ITERATIONS) return undefined;
  try {
    return { iterations, pepperId: parts[2]!, salt: fromBase64Url(parts[3]!), hash: fromBase64Url(parts[4]!) };
  } catch {
    return undefined;
  }
}

export async function hashPassword(password: string, peppers: Peppers, iterations = PBKDF2_ITERATIONS): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, peppers.current, salt, iterations);
  return [SCHEME, iterations, await pepperId(peppers.current), toBase64Url(salt), toBase64Url(hash)].join("$");
}

// Unknown users, users without a password and unreadable hashes are checked against this, so every
// failed login costs one full derivation: response time does not tell whether an account exists.
const DUMMY_SALT = new Uint8Array(SALT_BYTES);
const DUMMY_HASH = new Uint8Array(HASH_BITS / 8);

/**
 * Checks `password` against a stored hash; `stored` may be absent (unknown user, no password), which
 * costs the same work and fails. `needsRehash` says the hash was made with older parameters.
 */
export async function verifyPassword(password: string, stored: string | null | undefined, peppers: Peppers): Promise<PasswordCheck> {
  const parsed = stored ? parse(stored) : undefined;
  const currentId = await pepperId(peppers.current);
  const pepper =
    parsed?.pepperId === currentId
      ? peppers.current
      : peppers.previous && parsed?.pepperId === (await pepperId(peppers.previous))
        ? peppers.previous
        : undefined;
  if (!parsed || !pepper) {
    if (stored) console.error(JSON.stringify({ password_hash_unusable: parsed ? `unknown pepper ${parsed.pepperId}` : "unparseable" }));
    constantTimeEqual(await derive(password, peppers.current, DUMMY_SALT, PBKDF2_ITERATIONS), DUMMY_HASH);
    return { ok: false };
  }
  const candidate = await derive(password, pepper, parsed.salt, parsed.iterations);
  if (!constantTimeEqual(candidate, parsed.hash)) return { ok: false };
  return { ok: true, needsRehash: parsed.iterations !== PBKDF2_ITERATIONS || parsed.pepperId !== currentId || parsed.salt.byteLength < SALT_BYTES };
}

/** One full derivation and nothing else: what the benchmark's PBKDF2-only route measures. */
export async function deriveOnce(password: string, peppers: Peppers): Promise<void> {
  await derive(password, peppers.current, DUMMY_SALT, PBKDF2_ITERATIONS);
}
