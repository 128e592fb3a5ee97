import { sha256Hex } from "../crypto/tokens";
import type { Channel, MessagePurpose } from "../notify/purposes";

/** One issued OTP as stored: never the code, only its keyed hash. */
export interface OtpRecord {
  requestId: string;
  applicationId: string;
  channel: Channel;
  /** Lower-cased email or E.164 phone. */
  destination: string;
  purpose: MessagePurpose;
  /** The user whose session asked for it (profile, deletion, registration flows); absent for login and reset OTPs. */
  userId?: string;
  codeHash: string;
  resendTokenHash: string;
  expiresAt: number;
  createdAt: number;
}

const recordKey = (applicationId: string, requestId: string) => `otp:${applicationId}:${requestId}`;

// Email verify calls carry no request_id, and resends name only the destination: both find the
// latest OTP through this pointer. Keyed by a hash so addresses do not show in key listings.
async function latestKey(applicationId: string, channel: Channel, purpose: MessagePurpose, destination: string) {
  return `otp-latest:${applicationId}:${channel}:${purpose}:${await sha256Hex(destination)}`;
}

/** OTP records in KV, expiring with the OTP. Attempts and single use are decided by OtpGuard. */
export class OtpStore {
  constructor(private readonly kv: KVNamespace) {}

  async save(record: OtpRecord, ttlSeconds: number): Promise<void> {
    await this.kv.put(recordKey(record.applicationId, record.requestId), JSON.stringify(record), { expirationTtl: ttlSeconds });
  }

  /** Makes a saved OTP the one `latest` finds: only once it was delivered, so a failed send leaves the earlier one. */
  async markLatest(record: OtpRecord, ttlSeconds: number): Promise<void> {
    const pointer = await latestKey(record.applicationId, record.channel, record.purpose, record.destination);
    await this.kv.put(pointer, record.requestId, { expirationTtl: ttlSeconds });
  }

  async get(applicationId: string, requestId: string): Promise<OtpRecord | undefined> {
    return (await this.kv.get<OtpRecord>(recordKey(applicationId, requestId), "json")) ?? undefined;
  }

  async latest(applicationId: string, channel: Channel, purpose: MessagePurpose, destination: string): Promise<OtpRecord | undefined> {
    const requestId = await this.kv.get(await latestKey(applicationId, channel, purpose, destination));
    return requestId ? this.get(applicationId, requestId) : undefined;
  }

  /** Drops a used or dead OTP; a stale latest pointer then leads nowhere. */
  async remove(record: Pick<OtpRecord, "applicationId" | "requestId">): Promise<void> {
    await this.kv.delete(recordKey(record.applicationId, record.requestId));
  }
}
