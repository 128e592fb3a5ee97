import { destinationGuard, type OtpGuard } from "../../durable/otp-guard";
import { newSecret, sha256Hex } from "../../crypto/tokens";
import { ApiError } from "../../errors";
import type { CodeKind, CodeRecord, CodeStore } from "../../kv/code-store";

export const invalidCode = () => new ApiError(400, "LINK_INVALID", "This code is invalid, expired or already used; ask for a new one");

/** Codes are 256-bit random (newSecret): a fast hash at rest is enough, nothing to brute-force. */
const CODE_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export type NewCode = Omit<CodeRecord, "expiresAt">;

/** Issues a single-use code (forgot_token, reset or verification link code) bound to user, contact and application. */
export async function issueCode(store: CodeStore, record: NewCode, ttlSeconds: number, now = Date.now()): Promise<string> {
  const code = newSecret();
  await store.save(await sha256Hex(code), { ...record, expiresAt: now + ttlSeconds * 1000 }, ttlSeconds);
  return code;
}

/** The code's record if it is live, without using it up (e.g. a reset page checking its link). */
export async function peekCode(store: CodeStore, applicationId: string, kind: CodeKind, code: string, now = Date.now()) {
  if (!CODE_PATTERN.test(code)) return undefined;
  const record = await store.get(applicationId, kind, await sha256Hex(code));
  return record && record.expiresAt > now ? record : undefined;
}

/**
 * Uses a code up: exactly one caller gets the record, however many race. KV cannot decide that
 * (get-then-delete races), so the claim is made in the guard object of the code's destination.
 */
export async function consumeCode(
  store: CodeStore,
  guard: DurableObjectNamespace<OtpGuard>,
  applicationId: string,
  kind: CodeKind,
  code: string,
  now = Date.now(),
): Promise<CodeRecord | undefined> {
  const record = await peekCode(store, applicationId, kind, code, now);
  if (!record) return undefined;
  const codeHash = await sha256Hex(code);
  const first = await destinationGuard(guard, applicationId, record.channel, record.destination).claim(`${kind}:${codeHash}`, record.expiresAt, now);
  if (!first) return undefined;
  await store.remove(applicationId, kind, codeHash);
  return record;
}

export async function discardCode(store: CodeStore, applicationId: string, kind: CodeKind, code: string): Promise<void> {
  await store.remove(applicationId, kind, await sha256Hex(code));
}
