import type { AppContext } from "../../http/context";
import { clientInfo } from "../../http/auth";
import type { NormalizedPhone } from "../../schemas/contacts";
import type { Destination } from "../../services/codes/destinations";
import type { IssuedOtp, SendOtpInput } from "../../services/codes/otp";

/** What every send endpoint passes on: the destination, the caller's IP, and the resend token on `action: "resend"`. */
export function sendInput(
  c: AppContext,
  destination: Destination,
  body: { action?: "send" | "resend" | undefined; token?: string | undefined; android_hash?: string | undefined },
): SendOtpInput {
  return {
    destination,
    ip: clientInfo(c).ip,
    ...(body.action === "resend" ? { resendToken: body.token } : {}),
    ...(body.android_hash ? { smsAppHash: body.android_hash } : {}),
  };
}

/** SendOtpSuccess for a mobile send. */
export function mobileSent(issued: IssuedOtp, phone: NormalizedPhone) {
  return {
    success: true,
    request_id: issued.requestId,
    message: "OTP sent",
    mobile: phone.phone,
    country_code: String(phone.countryCode),
    resend_timer: issued.resendTimer,
    resend_token: issued.resendToken,
  };
}

/** EmailOtpSuccess for an email send. */
export function emailSent(issued: IssuedOtp) {
  return { success: true, resend_email_token: issued.resendToken, resend_timer: issued.resendTimer, request_id: issued.requestId };
}
