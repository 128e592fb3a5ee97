import type { ProfileFields } from "../../db/account-repo";
import type { UserRecord } from "../../db/users-repo";
import type { Application } from "../tenants/applications";
import { checkNewContact, issueNewContactOtp, primaryContact, reloadUser, sameDestination, type ProfileDeps } from "./contact-change";
import { emailDestination, mobileDestination, type Destination } from "../codes/destinations";
import { requireRecentLogin, requireV1ContactChanges } from "./contacts";
import type { IssuedOtp } from "../codes/otp";

/** EditProfileRequestSchema after validation (dob already an ISO date-time, gender lower-cased). */
export interface ProfileUpdate {
  first_name?: string | undefined;
  last_name?: string | undefined;
  gender?: string | null | undefined;
  dob?: string | null | undefined;
  profile_pic_url?: string | undefined;
  consent?: boolean | undefined;
  email?: string | undefined;
  mobile?: { phone: string; country_code?: string | undefined } | undefined;
  country_code?: string | undefined;
  android_hash?: string | undefined;
}

export interface PendingContact {
  destination: Destination;
  issued: IssuedOtp;
}

export interface ProfileUpdated {
  user: UserRecord;
  /** An OTP went to this new email: it replaces the primary once verified (verifyOTPForUpdate). */
  email?: PendingContact;
  /** Same for a new mobile number. */
  mobile?: PendingContact & { destination: ReturnType<typeof mobileDestination> };
}

function profileFields(body: ProfileUpdate, now: string): ProfileFields {
  const fields: ProfileFields = {};
  if (body.first_name !== undefined) fields.firstName = body.first_name;
  if (body.last_name !== undefined) fields.lastName = body.last_name;
  if (body.gender !== undefined) fields.gender = body.gender;
  if (body.dob !== undefined) fields.dob = body.dob;
  if (body.profile_pic_url !== undefined) fields.profilePicUrl = body.profile_pic_url;
  if (body.consent !== undefined) fields.consent = { privacy_policy: { value: body.consent, updated_at: now } };
  return fields;
}

/** A contact in the body that differs from the current primary of its kind. */
function changed<T extends Destination>(user: UserRecord, destination: T | undefined): T | undefined {
  return destination && !sameDestination(primaryContact(user, destination.channel), destination) ? destination : undefined;
}

/**
 * updateProfile: names, gender, dob, picture and consent change at once. A new email or mobile is
 * never written here: an OTP goes to it, and it becomes the primary when verifyOTPForUpdate gets
 * that OTP back. Every check (contacts valid and free) runs before any OTP is sent or any field
 * written, and OTPs go out before the write, so a refused send (rate limit) changes nothing. Where
 * v1 contact changes are off, a new contact refuses the whole update.
 */
export async function updateProfile(
  deps: ProfileDeps,
  app: Application,
  input: { user: UserRecord; body: ProfileUpdate; ip: string; loggedInAt: number },
  now = new Date().toISOString(),
): Promise<ProfileUpdated> {
  const { user, body } = input;
  const email = changed(user, body.email === undefined ? undefined : emailDestination(body.email));
  const mobile = changed(user, body.mobile ? mobileDestination(body.mobile.phone, body.mobile.country_code ?? body.country_code) : undefined);
  if (email || mobile) {
    requireV1ContactChanges(app);
    requireRecentLogin(app, input.loggedInAt);
  }
  for (const destination of [email, mobile]) if (destination) await checkNewContact(deps, app, user, destination);

  const send = (destination: Destination) =>
    issueNewContactOtp(deps, app, { user, destination, ip: input.ip, smsAppHash: body.android_hash });
  const pendingEmail = email && { destination: email, issued: await send(email) };
  const pendingMobile = mobile && { destination: mobile, issued: await send(mobile) };

  const fields = profileFields(body, now);
  if (Object.keys(fields).length > 0) {
    await deps.users.commit([
      deps.account.updateProfileStatement(app.id, user.user.id, fields, now),
      deps.events.insertStatement({
        applicationId: app.id,
        userId: user.user.id,
        type: "user.profile_updated",
        title: "Profile updated",
        actor: "user",
        visible: true,
        data: { fields: Object.keys(fields) },
        createdAt: now,
      }),
    ]);
  }
  return {
    user: Object.keys(fields).length > 0 ? await reloadUser(deps, app, user.user.id) : user,
    ...(pendingEmail ? { email: pendingEmail } : {}),
    ...(pendingMobile ? { mobile: pendingMobile } : {}),
  };
}
