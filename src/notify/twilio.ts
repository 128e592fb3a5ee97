import { callProvider } from "./http-provider";
import type { ChannelTransport, OutboundMessage } from "./notifier";

export interface TwilioSettings {
  accountSid: string;
  authToken: string;
  /** A sending number in E.164, or a Messaging Service SID (starts with MG). */
  from: string;
}

/** SMS through Twilio's Messages API (https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource). */
export class TwilioSms implements ChannelTransport {
  constructor(private readonly settings: TwilioSettings) {}

  async deliver(message: OutboundMessage): Promise<void> {
    const { accountSid, authToken, from } = this.settings;
    const form = new URLSearchParams({ To: message.to, Body: message.text });
    form.set(from.startsWith("MG") ? "MessagingServiceSid" : "From", from);
    await callProvider("twilio", `https://api.twilio.com/2010-04-01/Accounts/${encodeURIComponent(accountSid)}/Messages.json`, {
      method: "POST",
      headers: {
        authorization: `Basic ${btoa(`${accountSid}:${authToken}`)}`,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: form.toString(),
    });
  }
}
