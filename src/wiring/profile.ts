import type { ProfileDeps } from "../services/profile/contact-change";
import type { AppContext } from "../http/context";
import { otpFlowDeps } from "./otp";

/** What the profile, contact and account-deletion routes run on, for this request. */
export function profileDeps(c: AppContext): ProfileDeps {
  return otpFlowDeps(c);
}
