import type { UserRecord } from "../db/users-repo";
import type { AppContext } from "./context";

/** What registration tells the client about verifying the new contacts (the RegisterFormSuccess OTP fields). */
export interface VerificationStart {
  verify_email_otp: boolean;
  verify_mobile_otp: boolean;
  request_id?: string;
  resend_timer?: number;
  resend_token?: string;
  resend_email_token?: string;
  register_token?: string;
}

/**
 * The single point where registration asks for the new user's contacts to be verified. No code is
 * sent here: the contacts stay unverified (the OTP flows verify them later) and, since nothing is
 * pending, registration logs the user in at once. Sending OTPs from here, and answering which ones
 * are pending, turns registration into "verify first, then the OTP verify logs in" with no other change.
 */
export async function startContactVerification(_c: AppContext, _user: UserRecord): Promise<VerificationStart> {
  return { verify_email_otp: false, verify_mobile_otp: false };
}

export const verificationPending = (v: VerificationStart) => v.verify_email_otp || v.verify_mobile_otp;
