import { hmacSha256, randomBytes } from "../../crypto/tokens";

/**
 * Standard Webhooks signing (https://www.standardwebhooks.com): the secret is `whsec_` + base64 of
 * random bytes; each signature is `v1,` + base64(HMAC-SHA256(secret bytes, `${id}.${timestamp}.${body}`)),
 * several separated by spaces while an old secret is still valid.
 */
const PREFIX = "whsec_";

const toBase64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));

export function newSigningSecret(): string {
  return `${PREFIX}${toBase64(randomBytes(32))}`;
}

function secretBytes(secret: string): Uint8Array {
  const encoded = secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret;
  return Uint8Array.from(atob(encoded), (c) => c.charCodeAt(0));
}

/** The `webhook-signature` header value: one `v1,<signature>` per secret, current secret first. */
export async function signatureHeader(secrets: string[], id: string, timestamp: number, body: string): Promise<string> {
  const content = `${id}.${timestamp}.${body}`;
  const signatures = await Promise.all(secrets.map(async (secret) => `v1,${toBase64(await hmacSha256(secretBytes(secret), content))}`));
  return signatures.join(" ");
}
