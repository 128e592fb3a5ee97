import type { UserRecord } from "../../db/users-repo";
import type { Application } from "../tenants/applications";
import { contactEntry, findAccount } from "../accounts/by-contact";
import type { Destination } from "../codes/destinations";
import { invalidResendToken, issueOtp, resentOtp, type IssuedOtp, type OtpLookup, type SendOtpInput } from "../codes/otp";
import { completeContactChange, type ProfileDeps } from "../profile/contact-change";
import { completeVerification, sendVerificationOtp } from "../registration/verification";
import { completeLoginOtp, sendLoginOtp } from "./otp";

/*
 * sendOTPOnMobile / sendOTPOnEmail / loginWithOTP and verifyMobileOTP / verifyEmailOTP serve every flow
 * a Fynd storefront runs through them: OTP login, a form registration's contacts, a new contact from
 * updateProfile, and the code that confirms deleteUser. The body says which only in part (the theme
 * resends a registration code without its register_token and verifies a new profile email without
 * one), so the flow is taken from what the code is bound to, never from what the client claims.
 */

export interface StorefrontSend extends SendOtpInput {
  registerToken?: string | undefined;
  /** The logged-in user, when the request has a session. */
  sessionUser?: UserRecord | undefined;
}

/** Resends follow their first send; these are the flows a storefront resends through these calls. */
const RESENDABLE = ["register", "verify_contact", "login"] as const;

/**
 * A send:
 * - with a register_token: the registration's code for one of its contacts;
 * - a resend (`action: "resend"` + token) repeats the send its token belongs to, for the same user: a
 *   registration code, a new contact's code from updateProfile, or a login code;
 * - logged in, to one of the user's own contacts: a code bound to that user, which logs in (where OTP
 *   login is on; it verifies a contact the user only listed, such as a mobile given at registration
 *   that the application did not ask to prove) and confirms the user's deleteUser;
 * - otherwise a login code (a decoy for unknown contacts when sign-up is closed).
 */
export async function sendStorefrontOtp(deps: ProfileDeps, app: Application, input: StorefrontSend): Promise<IssuedOtp> {
  const { registerToken, sessionUser, ...send } = input;
  if (registerToken) return sendVerificationOtp(deps, app, { ...send, registerToken });
  const userId = sessionUser?.user.id;
  if (send.resendToken !== undefined) {
    const previous = await resentOtp(deps, app, send.destination, send.resendToken, RESENDABLE);
    if (!previous) throw invalidResendToken();
    // A session-scoped code is resent only to the session that asked; a registration's goes by its token.
    if (previous.purpose !== "register" && previous.userId !== undefined && previous.userId !== userId) throw invalidResendToken();
    if (previous.purpose === "login" && previous.userId === undefined) return sendLoginOtp(deps, app, send);
    return issueOtp(deps, app, { ...send, purpose: previous.purpose, deliver: true, ...(previous.userId ? { userId: previous.userId } : {}) });
  }
  if (sessionUser && contactEntry(sessionUser, send.destination)) {
    return issueOtp(deps, app, { ...send, purpose: "login", deliver: true, userId: sessionUser.user.id });
  }
  return sendLoginOtp(deps, app, send);
}

/**
 * loginWithOTP: the send, and SendOtp's `user_exists` where the application answers userExists anyway
 * (`user_exists_lookup`); otherwise false for every number, so known and unknown numbers get the same
 * answer. (No register_token: signing up by OTP needs none, verifying creates the account.)
 */
export async function sendLoginWithOtp(deps: ProfileDeps, app: Application, input: StorefrontSend): Promise<{ issued: IssuedOtp; userExists: boolean }> {
  const issued = await sendStorefrontOtp(deps, app, input);
  const userExists = app.config.user_exists_lookup && (await findAccount(deps.users, app.id, input.destination)) !== undefined;
  return { issued, userExists };
}

export type StorefrontVerify = OtpLookup & { code: string; registerToken?: string | undefined; sessionUser?: UserRecord | undefined };

export type StorefrontVerified =
  /** A registration's contact is proven; `completed` when it was the account's first: log in. */
  | { flow: "register"; user: UserRecord; completed: boolean }
  /** OTP login (sign-up when `created`): log in. */
  | { flow: "login"; user: UserRecord; created: boolean }
  /** The logged-in user's new contact from updateProfile is now its verified primary: no new session. */
  | { flow: "contact"; user: UserRecord };

/** The logged-in user's pending new-contact code this verify names, if it names one. */
async function pendingContactCode(deps: ProfileDeps, app: Application, check: StorefrontVerify) {
  const user = check.sessionUser;
  if (!user) return undefined;
  const { requestId, destination } = check;
  const record = requestId
    ? await deps.otps.get(app.id, requestId)
    : destination && (await deps.otps.latest(app.id, destination.channel, "verify_contact", destination.address));
  return record?.purpose === "verify_contact" && record.userId === user.user.id ? { user, record } : undefined;
}

/**
 * A verify: with a register_token the registration's code; a logged-in user's code for a new contact
 * (updateProfile) makes that contact the primary; anything else is an OTP login. A new-contact code
 * never verifies for anyone but the user who asked for it.
 */
export async function verifyStorefrontOtp(deps: ProfileDeps, app: Application, check: StorefrontVerify): Promise<StorefrontVerified> {
  const { registerToken, sessionUser, ...lookup } = check;
  if (registerToken) return { flow: "register", ...(await completeVerification(deps, app, { ...lookup, registerToken })) };
  const pending = await pendingContactCode(deps, app, check);
  if (pending) {
    const destination: Destination = { channel: pending.record.channel, address: pending.record.destination };
    const user = await completeContactChange(deps, app, {
      user: pending.user,
      entity: destination.channel === "email" ? "email" : "mobile",
      requestId: pending.record.requestId,
      destination,
      code: check.code,
    });
    return { flow: "contact", user };
  }
  return { flow: "login", ...(await completeLoginOtp(deps, app, { ...lookup, ...(sessionUser ? { userId: sessionUser.user.id } : {}) })) };
}
