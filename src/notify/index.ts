import type { Config } from "../env";
import { DeliveryError, type ChannelTransport, type MessageTransport, type Notifier, type OutboundMessage } from "./notifier";
import { OutboxNotifier } from "./outbox";
import { pacedOutbox, pacedProviders } from "./pacing";
import { ResendEmail } from "./resend";
import { TwilioSms } from "./twilio";

/** Real delivery: each channel goes to its configured provider; a channel without one fails loudly. */
class ProviderNotifier implements MessageTransport {
  constructor(private readonly transports: Partial<Record<OutboundMessage["channel"], ChannelTransport>>) {}

  async send(message: OutboundMessage): Promise<void> {
    const transport = this.transports[message.channel];
    if (!transport) throw new DeliveryError(`No ${message.channel} provider is configured`);
    await transport.deliver(message);
  }
}

/**
 * The transport comes from NOTIFY_TRANSPORT: `outbox` (dev/tests) or `providers`, where email goes
 * through Resend (RESEND_API_KEY + EMAIL_FROM) and SMS through Twilio (TWILIO_ACCOUNT_SID,
 * TWILIO_AUTH_TOKEN, TWILIO_FROM).
 */
export function createNotifier(config: Config, outboxKv: KVNamespace): Notifier {
  if (config.notifyTransport === "outbox") return pacedOutbox(new OutboxNotifier(outboxKv));
  const { accountSid, authToken, from } = config.twilio;
  return pacedProviders(
    new ProviderNotifier({
      email: config.resendApiKey && config.emailFrom ? new ResendEmail(config.resendApiKey, config.emailFrom) : undefined,
      sms: accountSid && authToken && from ? new TwilioSms({ accountSid, authToken, from }) : undefined,
    }),
  );
}

export { DeliveryError, type Notifier, type OutboundMessage } from "./notifier";
