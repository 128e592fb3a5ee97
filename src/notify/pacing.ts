import type { Channel } from "./purposes";
import type { MessageTransport, Notifier, OutboundMessage } from "./notifier";

/** How many recent delivery durations per channel a decoy draws from. */
const SAMPLES = 32;

/**
 * The durations of this isolate's latest real deliveries, per channel. A decoy (a send for an account
 * that does not exist) waits one of them, drawn at random, so its answer takes as long as a real send,
 * provider call included, and timing does not tell known addresses from unknown ones.
 */
export class DeliveryTimings {
  private readonly recent: Record<Channel, number[]> = { email: [], sms: [] };

  /** `fallbackMs`: what a decoy waits before this isolate has made any real delivery on the channel. */
  constructor(private readonly fallbackMs: Record<Channel, number>) {}

  record(channel: Channel, ms: number): void {
    const list = this.recent[channel];
    list.push(ms);
    if (list.length > SAMPLES) list.shift();
  }

  sample(channel: Channel): number {
    const list = this.recent[channel];
    if (list.length === 0) return this.fallbackMs[channel];
    return list[Math.floor(Math.random() * list.length)]!;
  }
}

/** Typical accept latencies of an email API and an SMS API, until real ones are measured. */
export const PROVIDER_FALLBACK_MS: Record<Channel, number> = { email: 250, sms: 400 };

// Isolate-wide on purpose: every request of this isolate feeds and draws from the same samples.
const providerTimings = new DeliveryTimings(PROVIDER_FALLBACK_MS);
const localTimings = new DeliveryTimings({ email: 0, sms: 0 });

/** A transport whose deliveries are timed, and whose decoys take as long as they do. */
export class PacedNotifier implements Notifier {
  constructor(
    private readonly transport: MessageTransport,
    private readonly timings: DeliveryTimings,
  ) {}

  async send(message: OutboundMessage): Promise<void> {
    const started = Date.now();
    try {
      await this.transport.send(message);
    } finally {
      this.timings.record(message.channel, Date.now() - started);
    }
  }

  async imitate(message: Pick<OutboundMessage, "channel">): Promise<void> {
    const ms = this.timings.sample(message.channel);
    if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
  }
}

/** Real providers: decoys wait like a provider call. */
export const pacedProviders = (transport: MessageTransport) => new PacedNotifier(transport, providerTimings);
/** The dev outbox: decoys wait like its KV write (no provider latency to hide). */
export const pacedOutbox = (transport: MessageTransport) => new PacedNotifier(transport, localTimings);
