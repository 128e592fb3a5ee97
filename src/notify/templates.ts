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
  reauth: {
    sms: "{{code}} is your {{app_name}} code to confirm it is you before changing your contact details. Never share it.",
    email_subject: "Confirm it is you: {{app_name}} code",
    email_text:
      "Your {{app_name}} code is {{code}}.\n\nSomeone (hopefully you) is about to change the contact details of your account. It expires in {{minutes}} minutes. If this was not you, do not share the code and change your password.",
  },
  verify_contact: {
    sms: "{{code}} is your {{app_name}} code to add this number to your account. It expires in {{minutes}} minutes.",
    email_subject: "Confirm your email for {{app_name}}",
    email_text:
      "Your code to add this email address to your {{app_name}} account is {{code}}.\n\nIt expires in {{minutes}} minutes. If you did not ask for it, ignore this email.",
  },
  delete_account: {
    sms: "{{code}} is your {{app_name}} code to DELETE your account. Never share it. Not you? Ignore this message.",
    email_subject: "Confirm the deletion of your {{app_name}} account",
    email_text:
      "Your code to delete your {{app_name}} account is {{code}}.\n\nIt expires in {{minutes}} minutes. If you did not ask to delete your account, do not share this code and change your password.",
  },
  contact_added: {
    sms: "{{app_name}}: the {{contact_type}} {{contact}} was added to your account. Not you? Reset your password now.",
    email_subject: "A new {{contact_type}} was added to your {{app_name}} account",
    email_text:
      "The {{contact_type}} {{contact}} was verified and added to your {{app_name}} account. It can now be used to log in and to reset your password.\n\nIf this was not you, reset your password now and remove it from your account.",
  },
  primary_changed: {
    sms: "{{app_name}}: your primary {{contact_type}} was changed to {{contact}}. Not you? Reset your password now.",
    email_subject: "Your {{app_name}} primary {{contact_type}} was changed",
    email_text:
      "The primary {{contact_type}} of your {{app_name}} account was changed to {{contact}}. This address still stays on the account for now.\n\nIf this was not you, reset your password now and make this address primary again.",
  },
  contact_removed: {
    sms: "{{app_name}}: the {{contact_type}} {{contact}} was removed from your account. Not you? Reset your password now.",
    email_subject: "A {{contact_type}} was removed from your {{app_name}} account",
    email_text: "The {{contact_type}} {{contact}} was removed from your {{app_name}} account.\n\nIf this was not you, reset your password now.",
  },
  password_changed: {
    sms: "{{app_name}}: your password was changed. Not you? Reset your password now.",
    email_subject: "Your {{app_name}} password was changed",
    email_text: "The password of your {{app_name}} account was changed and your other sessions were logged out.\n\nIf this was not you, reset your password now.",
  },
  register_attempt: {
    sms: "{{app_name}}: someone tried to register with {{contact}}, which already has an account. Not you? You can ignore this, or reset your password.",
    email_subject: "Someone tried to register at {{app_name}} with your {{contact_type}}",
    email_text:
      "Someone tried to create a new {{app_name}} account with {{contact}}, which already has one. No new account was created.\n\nIf this was you, log in instead (or reset your password). If not, you can ignore this message.",
  },
  password_reset: {
    sms: "{{app_name}}: your password was reset. Not you? Reset it again now.",
    email_subject: "Your {{app_name}} password was reset",
    email_text: "The password of your {{app_name}} account was reset through forgot password and every session was logged out.\n\nIf this was not you, reset your password again now.",
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
  /** Notices: the contact concerned, already masked (never in full: the notice may go to someone else's old address). */
  contact?: { type: "email address" | "mobile number"; masked: string };
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
    contact_type: input.contact?.type ?? "",
    contact: input.contact?.masked ?? "",
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
