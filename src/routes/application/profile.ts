import { clientInfo, requireUser } from "../../http/auth";
import { createRouter, jsonBody, ok, storefrontRoute } from "../../http/openapi";
import { profileDeps } from "../../wiring/profile";
import { PlatformQuery } from "../../schemas/auth";
import { EditProfileRequest, ProfileEditSuccess } from "../../schemas/profile";
import { updateProfile, type ProfileUpdated } from "../../services/profile/profile";
import { toUserSchema } from "../../services/accounts/users";

const tags = ["Storefront: profile"];

/** ProfileEditSuccess: the OTP fields of whichever new contacts were sent a code. */
function edited({ user, email, mobile }: ProfileUpdated) {
  return {
    user: toUserSchema(user),
    success: true,
    message: email || mobile ? "Profile updated; verify the new contact details with the OTP sent to them" : "Profile updated",
    user_exists: true,
    verify_email_otp: !!email,
    verify_mobile_otp: !!mobile,
    verify_email_link: false,
    ...(email ? { email: email.destination.address, resend_email_token: email.issued.resendToken, request_id: email.issued.requestId } : {}),
    ...(mobile
      ? {
          mobile: mobile.destination.phone.phone,
          country_code: String(mobile.destination.phone.countryCode),
          request_id: mobile.issued.requestId,
          resend_token: mobile.issued.resendToken,
        }
      : {}),
    ...(email || mobile ? { resend_timer: (mobile ?? email)!.issued.resendTimer } : {}),
  };
}

export const profileRoutes = createRouter()
  .openapi(
    storefrontRoute({
      method: "post",
      path: "/profile/v1.0/detail",
      operationId: "updateProfile",
      tags,
      summary: "Update the logged-in user's profile; a new email/mobile is only sent an OTP (finish with verifyEmailOTP / verifyMobileOTP on this session, or verifyOTPForUpdate)",
      withSession: true,
      middleware: [requireUser] as const,
      request: { query: PlatformQuery, body: jsonBody(EditProfileRequest) },
      responses: ok(ProfileEditSuccess),
    }),
    async (c) => {
      const updated = await updateProfile(profileDeps(c), c.var.application, {
        user: c.var.user,
        body: c.req.valid("json"),
        ip: clientInfo(c).ip,
        loggedInAt: c.var.session.record.createdAt,
      });
      return c.json(edited(updated), 200);
    },
  );
