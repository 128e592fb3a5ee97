import type { Channel, MessagePurpose } from "./purposes";

/** A rendered message, ready for a transport. */
export interface OutboundMessage {
  /** Unique per message; providers that support it use it as the idempotency key. */
  id: string;
  applicationId: string;
  channel: Channel;
  /** Lower-cased email or E.164 phone. */
  to: string;
  purpose: MessagePurpose;
  /** The OTP, for code purposes (kept for the dev outbox; providers only see the text). */
  code?: string;
  /** The link, for link purposes. */
  link?: string;
  /** Email only. */
  subject?: string;
  text: string;
  createdAt: number;
}

/** Something that hands messages to a provider (or the dev outbox). */
export interface MessageTransport {
  /** Resolves once the message is accepted for delivery; throws DeliveryError otherwise. */
  send(message: OutboundMessage): Promise<void>;
}

/** Delivers email and SMS alike; which transport runs is decided once, from the Worker's config. */
export interface Notifier extends MessageTransport {
  /**
   * Delivers nothing, in about the time a delivery of this message takes: the decoy for an address
   * with no account (forgot password, reset link, OTP login with sign-up closed) must not answer sooner.
   */
  imitate(message: Pick<OutboundMessage, "channel">): Promise<void>;
}

/** The message was not accepted (provider error, timeout, missing provider). Nothing was delivered. */
export class DeliveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DeliveryError";
  }
}

/** One channel's provider (an email API, an SMS API). */
export interface ChannelTransport {
  deliver(message: OutboundMessage): Promise<void>;
}
