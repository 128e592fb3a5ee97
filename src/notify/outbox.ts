import type { MessageTransport, OutboundMessage } from "./notifier";

/** How long dev messages stay readable. */
const OUTBOX_TTL_SECONDS = 3600;
const MAX_LISTED = 50;
const NEWEST_FIRST = Number.MAX_SAFE_INTEGER;

export interface OutboxEntry {
  channel: OutboundMessage["channel"];
  to: string;
  purpose: OutboundMessage["purpose"];
  code?: string;
  link?: string;
  subject?: string;
  text: string;
  application_id: string;
  created_at: string;
}

// KV lists keys in lexical order; an inverted, zero-padded timestamp makes that newest first.
const prefix = (to: string) => `outbox:${to}:`;
const entryKey = (m: OutboundMessage) =>
  `${prefix(m.to)}${String(NEWEST_FIRST - m.createdAt).padStart(16, "0")}:${m.id}`;

/** Dev and test transport: messages land in KV, readable at GET /_dev/outbox (only when DEV_OUTBOX is on). */
export class OutboxNotifier implements MessageTransport {
  constructor(private readonly kv: KVNamespace) {}

  async send(message: OutboundMessage): Promise<void> {
    const entry: OutboxEntry = {
      channel: message.channel,
      to: message.to,
      purpose: message.purpose,
      ...(message.code === undefined ? {} : { code: message.code }),
      ...(message.link === undefined ? {} : { link: message.link }),
      ...(message.subject === undefined ? {} : { subject: message.subject }),
      text: message.text,
      application_id: message.applicationId,
      created_at: new Date(message.createdAt).toISOString(),
    };
    await this.kv.put(entryKey(message), JSON.stringify(entry), { expirationTtl: OUTBOX_TTL_SECONDS });
  }
}

/** The messages sent to one address, newest first. */
export async function readOutbox(kv: KVNamespace, to: string): Promise<OutboxEntry[]> {
  const listed = await kv.list({ prefix: prefix(to), limit: MAX_LISTED });
  const entries = await Promise.all(listed.keys.map((k) => kv.get<OutboxEntry>(k.name, "json")));
  return entries.filter((e): e is OutboxEntry => e !== null);
}
