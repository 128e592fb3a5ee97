import { hashPassword } from "../../crypto/password-hash";
import { ContactTakenError, type UserRecord } from "../../db/users-repo";
import { destinationGuard, ipGuard, type OtpGuard } from "../../durable/otp-guard";
import { ApiError, invalidField as invalidBodyField, tooManyRequests } from "../../errors";
import { findAccount } from "../accounts/by-contact";
import type { Destination } from "../codes/destinations";
import { notifyAccountOwner } from "../profile/security-notices";
import { normalizeEmail, normalizePhone, type NormalizedPhone } from "../../schemas/contacts";
import { assertPasswordAllowed } from "../passwords/policy";
import type { AccountDeps, Tenant } from "../passwords/passwords";
import { newUserRecord } from "../accounts/users";

/** FormRegisterRequestSchema after validation. */
export interface RegistrationInput {
  first_name?: string | undefined;
  last_name?: string | undefined;
  gender?: string | undefined;
  email?: string | undefined;
  phone?: { country_code?: string | number | undefined; mobile: string } | undefined;
  password?: string | undefined;
  consent?: boolean | undefined;
}

const invalidField = (field: string, message: string) => invalidBodyField("body", field, message);

function contactsOf(app: Tenant, input: RegistrationInput): { email?: string; phone?: NormalizedPhone } {
  const required = app.config.register_required_fields;
  const email = input.email ? normalizeEmail(input.email) : undefined;
  const phone = input.phone ? normalizePhone(input.phone.mobile, input.phone.country_code) : undefined;
  if (input.email && !email) throw invalidField("email", "not a valid email address");
  if (input.phone && !phone) throw invalidField("phone.mobile", "not a valid mobile number for this country code");
  if (required.email.is_required && !email) throw invalidField("email", "required by this application");
  if (required.mobile.is_required && !phone) throw invalidField("phone", "required by this application");
  if (!email && !phone) throw invalidField("email", "an email or a phone is required");
  return { ...(email ? { email } : {}), ...(phone ? { phone } : {}) };
}

export interface RegistrationDeps extends AccountDeps {
  /** Counts registration attempts per client IP and per contact, exactly (the OTP guard objects). */
  otpGuard: DurableObjectNamespace<OtpGuard>;
}

/** A registration either made an account or found its contact taken; the caller answers both the same way. */
export type Registration<T> =
  | { user: UserRecord; started: T }
  /** `contacts`: as given (normalised), for the answer a new account would get. */
  | {
      user?: undefined;
      taken: Destination;
      contacts: Destination[];
      given: { email?: string; phone?: NormalizedPhone };
      /** Whether the owner of `taken` was sent a register_attempt notice (a delivery a new account's answer would also wait for). */
      noticeSent: boolean;
    };

const destinationsOf = ({ email, phone }: { email?: string | undefined; phone?: NormalizedPhone | undefined }): Destination[] => [
  ...(email ? [{ channel: "email" as const, address: email }] : []),
  ...(phone ? [{ channel: "sms" as const, address: phone.e164 }] : []),
];

/**
 * Registration attempts per client IP and per contact, in the same exact counters (and hourly budgets)
 * as OTP sends: before any password hashing, so a flood costs neither CPU nor a probe per address.
 */
async function limitAttempts(guard: DurableObjectNamespace<OtpGuard>, app: Tenant, contacts: Destination[], ip: string, now = Date.now()) {
  const settings = app.config.otp;
  const attempt = { now, purpose: "register_form", cooldownMs: 0 };
  const byIp = await ipGuard(guard, app.id, ip).reserve({ ...attempt, hourlyLimit: settings.per_ip_per_hour });
  if (!byIp.ok) throw tooManyRequests("Too many registrations from this network; try again later", byIp.retryAfterMs / 1000);
  for (const contact of contacts) {
    const byContact = await destinationGuard(guard, app.id, contact.channel, contact.address).reserve({ ...attempt, hourlyLimit: settings.per_destination_per_hour });
    if (!byContact.ok) throw tooManyRequests("Too many attempts for this contact; try again later", byContact.retryAfterMs / 1000);
  }
}

/**
 * registerWithForm: a new user with unverified contacts (the first email and phone become the
 * primaries) and, unless the application makes it optional, a password that passes the policy. The
 * user row, contacts, first history entry and audit event are written in one transaction; a contact
 * that another account holds — including one taken by a registration racing this one — makes no
 * account and answers `taken`, which the caller must answer exactly like a new account (the owner of
 * the address is told by a notice instead), so registration does not reveal who has an account.
 * Then `begin` runs on the new account (starting its verification: sending codes); when it fails
 * (a send limit, a provider down) the account is removed again, so the client sees one failure and
 * can simply retry instead of finding its address taken by an account it never got a code for.
 */
export async function registerUser<T>(
  stores: RegistrationDeps,
  app: Tenant,
  input: RegistrationInput & { ip: string },
  begin: (user: UserRecord) => Promise<T>,
  now = new Date().toISOString(),
): Promise<Registration<T>> {
  const created = await createAccount(stores, app, input, now);
  if ("taken" in created) {
    const noticeSent = await notifyAccountOwner(stores.notifier, app, created.owner, { purpose: "register_attempt", contact: created.taken });
    return { taken: created.taken, contacts: created.contacts, given: created.given, noticeSent };
  }
  const { user } = created;
  try {
    return { user, started: await begin(user) };
  } catch (error) {
    await stores.users.commit([stores.users.deleteStatement(app.id, user.user.id), stores.events.deleteForUserStatement(app.id, user.user.id)]);
    throw error;
  }
}

async function createAccount(
  stores: RegistrationDeps,
  app: Tenant,
  input: RegistrationInput & { ip: string },
  now: string,
): Promise<{ user: UserRecord } | { taken: Destination; owner: UserRecord; contacts: Destination[]; given: { email?: string; phone?: NormalizedPhone } }> {
  if (!app.config.register) throw new ApiError(403, "REGISTRATION_DISABLED", "Registration is turned off for this application");
  const { email, phone } = contactsOf(app, input);
  const contacts = destinationsOf({ email, phone });
  await limitAttempts(stores.otpGuard, app, contacts, input.ip);
  const passwordRequired = app.config.register_required_fields.password?.is_required ?? true;
  if (passwordRequired && !input.password) throw invalidField("password", "required");
  let passwordHash: string | null = null;
  if (input.password) {
    await assertPasswordAllowed(input.password, app.config.password_settings, stores.passwords, { email, phone: phone?.phone });
    passwordHash = await hashPassword(input.password, stores.peppers);
  }
  // Looked up after the hash, so a taken contact answers in the time a new one does.
  const taken = await takenContact(stores, app, contacts);
  if (taken) return { ...taken, given: { email, phone } };
  const record = newUserRecord(
    {
      applicationId: app.id,
      firstName: input.first_name ?? "",
      lastName: input.last_name ?? "",
      gender: input.gender ?? null,
      ...(email ? { email: { email, verified: false } } : {}),
      ...(phone ? { phone: { ...phone, verified: false } } : {}),
      passwordHash,
      consent: input.consent === undefined ? null : { privacy_policy: { value: input.consent, updated_at: now } },
    },
    now,
  );
  try {
    await stores.users.commit([
      ...stores.users.insertStatements(record),
      ...(passwordHash ? stores.passwords.historyStatements(app.id, record.id, passwordHash, now) : []),
      stores.events.insertStatement({
        applicationId: app.id,
        userId: record.id,
        type: "user.registered",
        title: "Registered",
        subTitle: "form",
        actor: "user",
        visible: true,
        data: { email: !!email, phone: !!phone, password: !!passwordHash },
        createdAt: now,
      }),
    ]);
  } catch (error) {
    // A registration racing this one claimed a contact since the lookup: the same answer as taken.
    const raced = error instanceof ContactTakenError ? await takenContact(stores, app, contacts) : undefined;
    if (raced) return { ...raced, given: { email, phone } };
    throw error;
  }
  const created = await stores.users.findById(app.id, record.id);
  if (!created) throw new Error(`user ${record.id} missing right after it was written`);
  return { user: created };
}

async function takenContact(stores: RegistrationDeps, app: Tenant, contacts: Destination[]) {
  for (const contact of contacts) {
    const owner = await findAccount(stores.users, app.id, contact);
    if (owner) return { taken: contact, owner, contacts };
  }
  return undefined;
}
