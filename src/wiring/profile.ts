import { AccountRepo } from "../db/account-repo";
import { database } from "../db/client";
import type { ProfileDeps } from "../services/profile/contact-change";
import { sessionStores } from "../http/auth";
import type { AppContext } from "../http/context";
import { otpServices } from "./otp";

/** What the profile, contact and account-deletion routes run on, for this request. */
export function profileServices(c: AppContext): ProfileDeps {
  return { ...otpServices(c), account: new AccountRepo(database(c.env.DB)), sessions: sessionStores(c) };
}
