import { hashPassword } from "../../crypto/password-hash";
import { ContactTakenError, type UserRecord } from "../../db/users-repo";
import { ApiError, invalidField as invalidBodyField } from "../../errors";
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

/**
 * registerWithForm: a new user with unverified contacts (the first email and phone become the
 * primaries) and, unless the application makes it optional, a password that passes the policy. The
 * user row, contacts, first history entry and audit event are written in one transaction; a contact
 * that another account holds — including one taken by a registration racing this one — is a 409.
 * Then `begin` runs on the new account (starting its verification: sending codes); when it fails
 * (a send limit, a provider down) the account is removed again, so the client sees one failure and
 * can simply retry instead of finding its address taken by an account it never got a code for.
 */
export async function registerUser<T>(
  stores: AccountDeps,
  app: Tenant,
  input: RegistrationInput,
  begin: (user: UserRecord) => Promise<T>,
  now = new Date().toISOString(),
): Promise<{ user: UserRecord; started: T }> {
  const user = await createAccount(stores, app, input, now);
  try {
    return { user, started: await begin(user) };
  } catch (error) {
    await stores.users.commit([stores.users.deleteStatement(app.id, user.user.id), stores.events.deleteForUserStatement(app.id, user.user.id)]);
    throw error;
  }
}

async function createAccount(stores: AccountDeps, app: Tenant, input: RegistrationInput, now: string): Promise<UserRecord> {
  if (!app.config.register) throw new ApiError(403, "REGISTRATION_DISABLED", "Registration is turned off for this application");
  const { email, phone } = contactsOf(app, input);
  const passwordRequired = app.config.register_required_fields.password?.is_required ?? true;
  if (passwordRequired && !input.password) throw invalidField("password", "required");
  let passwordHash: string | null = null;
  if (input.password) {
    await assertPasswordAllowed(input.password, app.config.password_settings, stores.passwords, { email, phone: phone?.phone });
    passwordHash = await hashPassword(input.password, stores.peppers);
  }
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
    if (error instanceof ContactTakenError) {
      const what = error.kind === "email" ? "email address" : "phone number";
      throw new ApiError(409, "CONTACT_TAKEN", `An account with this ${what} already exists`, { field: error.kind === "email" ? "email" : "phone" });
    }
    throw error;
  }
  const created = await stores.users.findById(app.id, record.id);
  if (!created) throw new Error(`user ${record.id} missing right after it was written`);
  return created;
}
