import type { UserRecord } from "../../db/users-repo";
import { pendingVerification, startVerification, verificationChallenge, verificationPending, type VerificationStart } from "../../services/registration/verification";
import { clientInfo } from "../../http/auth";
import type { AppContext } from "../../http/context";
import { ApiError } from "../../errors";
import { otpFlowDeps } from "../../wiring/otp";

export { verificationPending, type VerificationStart };

/**
 * Where registration asks for the new user's contacts to be verified: OTPs go to the contacts the
 * application wants proven and the answer carries the register_token; nothing is pending (and the
 * caller logs in) otherwise.
 * The rule itself: src/services/registration/verification.ts.
 */
export async function startContactVerification(c: AppContext, user: UserRecord): Promise<VerificationStart> {
  if (pendingVerification(c.var.application.config, user).length === 0) return { verify_email_otp: false, verify_mobile_otp: false };
  return startVerification(otpFlowDeps(c), c.var.application, user, clientInfo(c).ip);
}

/**
 * For a login that did not prove a contact (password): refused with 403 VERIFICATION_REQUIRED while
 * the account has none proven, with a register_token in `info` to ask for the code with. For any
 * other account it costs nothing (no I/O).
 */
export async function requireProvenContact(c: AppContext, user: UserRecord): Promise<void> {
  if (pendingVerification(c.var.application.config, user).length === 0) return;
  const challenge = await verificationChallenge(otpFlowDeps(c), c.var.application, user);
  if (!challenge) return;
  const what = challenge.verify_email_otp && challenge.verify_mobile_otp ? "email or mobile number" : challenge.verify_email_otp ? "email" : "mobile number";
  throw new ApiError(403, "VERIFICATION_REQUIRED", `Verify your ${what} to log in: ask for a code with the register_token, then enter it`, challenge);
}
