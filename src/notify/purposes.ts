/**
 * What a message is for, and what it carries: an OTP (`{{code}}`) or a link (`{{link}}`). New flows
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
} as const;

export type MessagePurpose = keyof typeof MESSAGE_PURPOSES;
export const MESSAGE_PURPOSE_NAMES = Object.keys(MESSAGE_PURPOSES) as [MessagePurpose, ...MessagePurpose[]];

export type Channel = "email" | "sms";
