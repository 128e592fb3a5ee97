import { AccountRepo } from "../db/account-repo";
import { database } from "../db/client";
import type { ProfileDeps } from "../services/profile/contact-change";
import { sessionDeps } from "./accounts";
import type { AppContext } from "../http/context";
import { otpFlowDeps } from "./otp";

/** What the profile, contact and account-deletion routes run on, for this request. */
export function profileDeps(c: AppContext): ProfileDeps {
  return { ...otpFlowDeps(c), account: new AccountRepo(database(c.env.DB)), sessions: sessionDeps(c) };
}
