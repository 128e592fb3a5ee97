import { newId } from "../crypto/tokens";
import type { PlatformConfig } from "../schemas/platform-config";
import type { OutboundMessage } from "./notifier";
import { MESSAGE_PURPOSES, type Channel, type MessagePurpose } from "./purposes";

interface Template {
  sms: string;
  email_subject: string;
  email_text: string;
}

const DEFAULT_TEMPLATES: Record<MessagePurpose, Template> = {
  login: {
    sms: "{{code}} is your {{app_name}} login code. It expires in {{minutes}} minutes. Never share it.",
    email_subject: "Your {{app_name}} login code",
    email_text:
      "Your {{app_name}} login code is {{code}}.\n\nIt expires in {{minutes}} minutes. If you did not ask for it, ignore this email and never share the code.",
  },
  register: {
    sms: "{{code}} is your {{app_name}} verification code. It expires in {{minutes}} minutes. Never share it.",
    email_subject: "Confirm your email for {{app_name}}",
    email_text:
      "Your {{app_name}} verification code is {{code}}.\n\nEnter it to finish creating your account. It expires in {{minutes}} minutes. If you did not sign up, ignore this email.",
  },
  forgot: {
    sms: "{{code}} is your {{app_name}} password reset code. It expires in {{minutes}} minutes. Never share it.",
    email_subject: "Your {{app_name}} password reset code",
    email_text:
      "Your {{app_name}} password reset code is {{code}}.\n\nIt expires in {{minutes}} minutes. If you did not ask to reset your password, ignore this email.",
  },
  reset_link: {
    sms: "Reset your {{app_name}} password: {{link}} (valid {{minutes}} minutes, works once)",
    email_subject: "Reset your {{app_name}} password",
    email_text:
      "Open this link to choose a new {{app_name}} password:\n\n{{link}}\n\nIt works once and expires in {{minutes}} minutes. If you did not ask for it, ignore this email.",
  },
  verify_link: {
    sms: "Confirm this number for your {{app_name}} account: {{link}}",
    email_subject: "Confirm your email for {{app_name}}",
    email_text:
      "Open this link to confirm this email address for your {{app_name}} account:\n\n{{link}}\n\nIt expires in {{minutes}} minutes.",
  },
};

export interface MessageInput {
  applicationId: string;
  config: PlatformConfig;
  channel: Channel;
  to: string;
  purpose: MessagePurpose;
  code?: string;
  link?: string;
  /** Android SMS Retriever app hash: the SMS must end with it for the app to read the code. */
  smsAppHash?: string;
}

const render = (template: string, values: Record<string, string>) =>
  template.replace(/\{\{(\w+)\}\}/g, (_, name: string) => values[name] ?? "");

/** Renders the application's template (or the default) for one message. */
export function composeMessage(input: MessageInput, now = Date.now()): OutboundMessage {
  const { config } = input;
  const template = { ...DEFAULT_TEMPLATES[input.purpose], ...config.otp.templates[input.purpose] };
  const lifetime = MESSAGE_PURPOSES[input.purpose] === "code" ? config.otp.ttl_seconds : config.otp.link_ttl_seconds;
  const values = {
    code: input.code ?? "",
    link: input.link ?? "",
    app_name: config.display || config.name,
    minutes: String(Math.ceil(lifetime / 60)),
  };
  const base = {
    id: newId(),
    applicationId: input.applicationId,
    channel: input.channel,
    to: input.to,
    purpose: input.purpose,
    ...(input.code === undefined ? {} : { code: input.code }),
    ...(input.link === undefined ? {} : { link: input.link }),
    createdAt: now,
  };
  if (input.channel === "email") {
    return { ...base, subject: render(template.email_subject, values), text: render(template.email_text, values) };
  }
  const text = render(template.sms, values);
  return { ...base, text: input.smsAppHash ? `${text}\n${input.smsAppHash}` : text };
}
