/**
 * What a message is for, and what it carries: an OTP (`{{code}}`), a link (`{{link}}`), or nothing to
 * act on (`notice`: a security notice to the account owner, with `{{contact}}` masked). New flows
 * (registration, account deletion, contact change) add their purpose here and a default template.
 */
export const MESSAGE_PURPOSES = {
  /** OTP sign-in (and sign-up when the application allows registration). */
  login: "code",
  /** OTP that proves a contact given at registration (and lets the new account log in). */
  register: "code",
  /** OTP that starts a forgotten-password reset. */
  forgot: "code",
  /** Link to the storefront's reset-password page. */
  reset_link: "link",
  /** Link that confirms an email or phone belongs to the user. */
  verify_link: "link",
  /** OTP to the user's current primary contact, proving control before a contact change (profile v2). */
  reauth: "code",
  /** OTP to a new email or phone the user wants on the account (updateProfile, sendOTPForUpdate). */
  verify_contact: "code",
  /** OTP that confirms an account deletion request. */
  delete_account: "code",
  /** Security notice: a new email or phone was verified on the account. */
  contact_added: "notice",
  /** Security notice to the old primary: another email or phone became the primary one. */
  primary_changed: "notice",
  /** Security notice: an email or phone was removed from the account. */
  contact_removed: "notice",
  /** Security notice: the password was changed by a logged-in user. */
  password_changed: "notice",
  /** Security notice: the password was reset (forgot password). */
  password_reset: "notice",
  /** Notice to an address that has an account: someone tried to register with it (registration answers as for a new address). */
  register_attempt: "notice",
} as const;

export type MessagePurpose = keyof typeof MESSAGE_PURPOSES;
export type NoticePurpose = { [P in MessagePurpose]: (typeof MESSAGE_PURPOSES)[P] extends "notice" ? P : never }[MessagePurpose];
export const MESSAGE_PURPOSE_NAMES = Object.keys(MESSAGE_PURPOSES) as [MessagePurpose, ...MessagePurpose[]];

export type Channel = "email" | "sms";
