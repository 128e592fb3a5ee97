import { callProvider } from "./http-provider";
import type { ChannelTransport, OutboundMessage } from "./notifier";

export const RESEND_ENDPOINT = "https://api.resend.com/emails";

/** Email through Resend (https://resend.com/docs/api-reference/emails/send-email). */
export class ResendEmail implements ChannelTransport {
  constructor(
    private readonly apiKey: string,
    private readonly from: string,
  ) {}

  async deliver(message: OutboundMessage): Promise<void> {
    await callProvider("resend", RESEND_ENDPOINT, {
      method: "POST",
      headers: {
        authorization: `Bearer ${this.apiKey}`,
        "content-type": "application/json",
        "idempotency-key": message.id,
      },
      body: JSON.stringify({ from: this.from, to: [message.to], subject: message.subject ?? "", text: message.text }),
    });
  }
}
