import type { Channel } from "../notify/purposes";

/**
 * What a code stands for: `forgot_token` (after a forgot-password OTP), `reset_password` (an
 * emailed/texted reset link), `verify_email` / `verify_mobile` (a contact-verification link) — all
 * single use — and `register_token` (lets the client of a registration send and verify its OTPs).
 */
export type CodeKind = "forgot_token" | "reset_password" | "verify_email" | "verify_mobile" | "register_token";

export interface CodeRecord {
  kind: CodeKind;
  applicationId: string;
  userId: string;
  channel: Channel;
  /** The contact the code went to (lower-cased email or E.164); for a register_token, the first contact to verify. */
  destination: string;
  expiresAt: number;
}

const key = (applicationId: string, kind: CodeKind, codeHash: string) => `code:${applicationId}:${kind}:${codeHash}`;

/** Single-use codes in KV, keyed by the SHA-256 of the code; the code itself is never stored. */
export class CodeStore {
  constructor(private readonly kv: KVNamespace) {}

  async save(codeHash: string, record: CodeRecord, ttlSeconds: number): Promise<void> {
    await this.kv.put(key(record.applicationId, record.kind, codeHash), JSON.stringify(record), { expirationTtl: ttlSeconds });
  }

  async get(applicationId: string, kind: CodeKind, codeHash: string): Promise<CodeRecord | undefined> {
    return (await this.kv.get<CodeRecord>(key(applicationId, kind, codeHash), "json")) ?? undefined;
  }

  async remove(applicationId: string, kind: CodeKind, codeHash: string): Promise<void> {
    await this.kv.delete(key(applicationId, kind, codeHash));
  }
}
