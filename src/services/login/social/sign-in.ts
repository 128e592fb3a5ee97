import type { EventsRepo } from "../../../db/events-repo";
import { isIdentityConflict, type IdentitiesRepo } from "../../../db/identities-repo";
import { ContactTakenError, type UserRecord, type UsersRepo } from "../../../db/users-repo";
import { accountUnusableReason } from "../../accounts/users";
import { ApiError } from "../../../errors";
import type { Application } from "../../tenants/applications";
import { newUserRecord } from "../../accounts/users";
import type { ProviderResult, ProvenIdentity, SocialProvider } from "./provider";
import { claimProvenContact, type ClaimDeps } from "../../accounts/claim";

export interface SocialDeps extends ClaimDeps {
  users: UsersRepo;
  identities: IdentitiesRepo;
  events: EventsRepo;
}

export interface SocialSignIn {
  record: UserRecord;
  /** false when this sign-in created the account. */
  userExists: boolean;
}

type Provider = Pick<SocialProvider<unknown>, "name" | "label">;

const accountExists = (message: string) => new ApiError(409, "ACCOUNT_EXISTS", message);

function ensureUsable(record: UserRecord): UserRecord {
  const reason = accountUnusableReason(record.user);
  if (reason) throw new ApiError(403, "ACCOUNT_UNAVAILABLE", reason);
  return record;
}

/**
 * Social login: the provider proves who the user is, then the account is found by that provider
 * account, else linked through an email the provider verified, else created. Nothing is written
 * unless the provider's proof holds and the account may be used.
 */
export async function socialSignIn<Request>(
  stores: SocialDeps,
  app: Application,
  provider: SocialProvider<Request>,
  request: Request,
): Promise<SocialSignIn> {
  if (!app.config.social[provider.name]) {
    throw new ApiError(403, "SOCIAL_LOGIN_DISABLED", `${provider.label} login is not enabled for this application`);
  }
  if (!provider.configured(app.config)) {
    throw new ApiError(403, "SOCIAL_LOGIN_DISABLED", `${provider.label} login is not configured for this application`);
  }
  const proven = await provider.verify(request, app.config);
  try {
    return await resolveAccount(stores, app, provider, proven);
  } catch (error) {
    // A concurrent first sign-in with the same provider account won the insert: look again and use what it made.
    if (!isIdentityConflict(error) && !(error instanceof ContactTakenError)) throw error;
  }
  try {
    return await resolveAccount(stores, app, provider, proven);
  } catch (error) {
    if (error instanceof ContactTakenError) {
      throw accountExists(`An account already uses ${proven.identity.email}; log in to it the way it was created`);
    }
    throw error;
  }
}

async function resolveAccount(stores: SocialDeps, app: Application, provider: Provider, proven: ProviderResult): Promise<SocialSignIn> {
  const { identity } = proven;
  const linked = await stores.identities.find(app.id, identity.provider, identity.subject);
  if (linked) {
    const record = await stores.users.findById(app.id, linked.userId);
    if (!record) throw new Error(`identity ${identity.provider}:${identity.subject} points to a missing user`);
    return { record: ensureUsable(record), userExists: true };
  }
  if (identity.email && identity.emailVerified) {
    const found = await stores.users.findByEmail(app.id, identity.email);
    // Only listed there (unverified): the account is reset for the prover, or lets the address go (accounts/claim.ts).
    const owner = found && (await claimProvenContact(stores, app, ensureUsable(found), { destination: { channel: "email", address: identity.email } }));
    if (owner) return { record: await link(stores, app, provider, owner, identity), userExists: true };
  }
  return { record: await register(stores, app, provider, proven), userExists: false };
}

/**
 * Links the provider account to the user holding the same email, which the provider verified: the
 * email is marked verified there too (claimProvenContact already reset an account that had only
 * listed it, so no squatter shares it).
 */
async function link(stores: SocialDeps, app: Application, provider: Provider, owner: UserRecord, identity: ProvenIdentity) {
  const now = new Date().toISOString();
  await stores.users.commit([
    ...(identity.email && !owner.emails.some((e) => e.active && e.verified && e.email === identity.email)
      ? [stores.contacts.markVerifiedStatement(app.id, owner.user.id, "email", identity.email)]
      : []),
    stores.identities.insertStatement(identityRow(app, identity, owner.user.id, now)),
    stores.events.insertStatement({
      applicationId: app.id,
      userId: owner.user.id,
      type: "user.social_linked",
      title: `${provider.label} account linked`,
      subTitle: identity.email,
      actor: "user",
      visible: true,
      data: { provider: identity.provider, email: identity.email },
      createdAt: now,
    }),
  ]);
  return (await stores.users.findById(app.id, owner.user.id)) ?? owner;
}

async function register(stores: SocialDeps, app: Application, provider: Provider, { identity, display }: ProviderResult) {
  if (!app.config.register) {
    throw new ApiError(403, "REGISTRATION_DISABLED", `No account is linked to this ${provider.label} account and this store does not allow new accounts`);
  }
  const now = new Date().toISOString();
  const record = newUserRecord(
    {
      applicationId: app.id,
      firstName: display.firstName,
      lastName: display.lastName,
      profilePicUrl: display.pictureUrl,
      email: identity.email ? { email: identity.email, verified: identity.emailVerified } : undefined,
    },
    now,
  );
  await stores.users.commit([
    ...stores.users.insertStatements(record),
    stores.identities.insertStatement(identityRow(app, identity, record.id, now)),
    stores.events.insertStatement({
      applicationId: app.id,
      userId: record.id,
      type: "user.registered",
      title: "Registered",
      subTitle: provider.label,
      actor: "user",
      visible: true,
      data: { method: identity.provider },
      createdAt: now,
    }),
  ]);
  const created = await stores.users.findById(app.id, record.id);
  if (!created) throw new Error(`user ${record.id} vanished after creation`);
  return created;
}

function identityRow(app: Application, identity: ProvenIdentity, userId: string, now: string) {
  return {
    applicationId: app.id,
    provider: identity.provider,
    subject: identity.subject,
    userId,
    email: identity.email ?? null,
    createdAt: now,
  };
}
