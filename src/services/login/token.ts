import { createLocalJWKSet, errors, jwtVerify, type JSONWebKeySet, type JWTPayload, type JWTVerifyGetKey } from "jose";
import { sha256Hex } from "../../crypto/tokens";
import type { EventsRepo } from "../../db/events-repo";
import { ContactTakenError, type UserRecord, type UsersRepo } from "../../db/users-repo";
import { tokenIdGuard, type OtpGuard } from "../../durable/otp-guard";
import { ApiError, badGateway, conflict } from "../../errors";
import { TOKEN_LOGIN_ALGORITHMS, type PlatformConfig } from "../../schemas/platform-config";
import type { Application } from "../tenants/applications";
import { contactVerified, findAccount, requireUsable } from "../accounts/by-contact";
import { normalizeEmail, normalizePhone } from "../../schemas/contacts";
import type { Destination } from "../codes/destinations";
import { KeySetUnavailable, rejectionReason, remoteKeySet } from "./social/jwt";
import { displayName } from "./social/provider";
import { newUserRecord } from "../accounts/users";

/** A login token must be short-lived: `exp - iat` at most this, and used within this of `iat`. */
export const TOKEN_MAX_LIFETIME_SECONDS = 300;
/** Clock difference tolerated between the seller's backend and us. */
export const TOKEN_CLOCK_SKEW_SECONDS = 30;
const JTI_MAX = 256;
/** Replay claims are spread over this many guard objects per application, by hash of the jti. */
const JTI_SHARDS = 256;

export interface TokenLoginDeps {
  users: UsersRepo;
  events: EventsRepo;
  guard: DurableObjectNamespace<OtpGuard>;
}

const rejected = (why: string) => new ApiError(401, "TOKEN_INVALID", `Login token rejected: ${why}`);

/** Local key sets by their JSON: built (and their keys imported) once per isolate, not per request. */
const localKeySets = new Map<string, JWTVerifyGetKey>();

function keysOf(config: PlatformConfig["token_login"]): JWTVerifyGetKey {
  if (config.public_keys.length === 0) return remoteKeySet(config.jwks_url);
  const cacheKey = JSON.stringify(config.public_keys);
  let keySet = localKeySets.get(cacheKey);
  if (!keySet) {
    if (localKeySets.size >= 1000) localKeySets.clear();
    keySet = createLocalJWKSet({ keys: config.public_keys } as JSONWebKeySet);
    localKeySets.set(cacheKey, keySet);
  }
  return keySet;
}

interface LoginClaims extends JWTPayload {
  jti: string;
  exp: number;
  iat: number;
}

/**
 * Signature by one of the application's keys with an asymmetric algorithm (never `none`, never
 * HMAC: the keys are public), `aud` = this application, `iss` when configured, and a short life.
 */
async function verifyLoginToken(app: Application, token: string, now: number): Promise<LoginClaims> {
  const config = app.config.token_login;
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, keysOf(config), {
      algorithms: [...TOKEN_LOGIN_ALGORITHMS],
      audience: app.id,
      ...(config.issuer ? { issuer: config.issuer } : {}),
      requiredClaims: ["exp", "iat", "jti"],
      clockTolerance: TOKEN_CLOCK_SKEW_SECONDS,
      maxTokenAge: TOKEN_MAX_LIFETIME_SECONDS,
      currentDate: new Date(now),
    }));
  } catch (error) {
    if (error instanceof KeySetUnavailable) throw badGateway("The application's token signing keys could not be fetched; try again");
    if (error instanceof errors.JWTClaimValidationFailed && error.claim === "iat" && error.reason === "check_failed") {
      throw rejected(`it was issued more than ${TOKEN_MAX_LIFETIME_SECONDS} seconds ago, or in the future`);
    }
    throw rejected(rejectionReason(error));
  }
  const { jti, exp, iat } = payload;
  if (typeof jti !== "string" || jti.length === 0 || jti.length > JTI_MAX) throw rejected(`the "jti" claim must be a string of 1 to ${JTI_MAX} characters`);
  if (typeof exp !== "number" || typeof iat !== "number" || exp - iat > TOKEN_MAX_LIFETIME_SECONDS) {
    throw rejected(`it is valid for more than ${TOKEN_MAX_LIFETIME_SECONDS} seconds (exp - iat)`);
  }
  return { ...payload, jti, exp, iat };
}

/**
 * First use of this token id wins, exactly, however many requests race: the claim is decided by a
 * guard Durable Object and kept until the token could no longer pass the expiry check anyway.
 */
async function claimTokenId(guard: DurableObjectNamespace<OtpGuard>, app: Application, claims: LoginClaims, now: number) {
  const hash = await sha256Hex(`${claims.iss ?? ""}\n${claims.jti}`);
  const shard = parseInt(hash.slice(0, 4), 16) % JTI_SHARDS;
  const stub = tokenIdGuard(guard, app.id, shard);
  const expiresAt = (claims.exp + TOKEN_CLOCK_SKEW_SECONDS) * 1000;
  if (!(await stub.claim(`login-token:${hash}`, expiresAt, now))) throw rejected("it was already used (jti seen before)");
}

/** The contacts a token vouches for; a contact claim without its `*_verified: true` is refused. */
function vouchedContacts(claims: LoginClaims): Destination[] {
  const contacts: Destination[] = [];
  if (claims.email !== undefined) {
    const email = typeof claims.email === "string" ? normalizeEmail(claims.email) : undefined;
    if (!email) throw rejected(`the "email" claim is not an email address`);
    if (claims.email_verified !== true) throw rejected(`"email_verified" must be true: only a verified email identifies an account`);
    contacts.push({ channel: "email", address: email });
  }
  if (claims.phone !== undefined) {
    const phone = typeof claims.phone === "string" ? normalizePhone(claims.phone) : undefined;
    if (!phone) throw rejected(`the "phone" claim is not a phone number in E.164 (+<country><number>)`);
    if (claims.phone_verified !== true) throw rejected(`"phone_verified" must be true: only a verified phone identifies an account`);
    contacts.push({ channel: "sms", address: phone.e164 });
  }
  return contacts;
}

/**
 * The account holding one of the contacts (in claim order). Like social login, it must have verified
 * that contact itself: otherwise whoever registered the address unverified would get the real owner's login.
 */
async function accountByContact(stores: TokenLoginDeps, app: Application, contacts: Destination[]): Promise<UserRecord | undefined> {
  for (const destination of contacts) {
    const account = await findAccount(stores.users, app.id, destination);
    if (!account) continue;
    requireUsable(account);
    if (!contactVerified(account, destination)) {
      throw new ApiError(409, "ACCOUNT_EXISTS", "An account holds this contact but has not verified it; log in to it another way and verify it first");
    }
    return account;
  }
  return undefined;
}

async function registerByToken(stores: TokenLoginDeps, app: Application, claims: LoginClaims, contacts: Destination[]): Promise<UserRecord> {
  if (!app.config.register) throw new ApiError(403, "REGISTRATION_DISABLED", "No account uses these contacts and this store does not allow new accounts");
  const email = contacts.find((c) => c.channel === "email")?.address;
  const phoneAddress = contacts.find((c) => c.channel === "sms")?.address;
  const phone = phoneAddress ? normalizePhone(phoneAddress) : undefined;
  const record = newUserRecord({
    applicationId: app.id,
    firstName: displayName(claims.given_name),
    lastName: displayName(claims.family_name),
    ...(email ? { email: { email, verified: true } } : {}),
    ...(phone ? { phone: { ...phone, verified: true } } : {}),
  });
  await stores.users.commit([
    ...stores.users.insertStatements(record),
    stores.events.insertStatement({
      applicationId: app.id,
      userId: record.id,
      type: "user.registered",
      title: "Registered",
      subTitle: "token",
      actor: "user",
      visible: true,
      data: { method: "token", email: !!email, phone: !!phone },
    }),
  ]);
  const created = await stores.users.findById(app.id, record.id);
  if (!created) throw new Error(`user ${record.id} missing right after insert`);
  return created;
}

/**
 * loginWithToken: single sign-on from the seller's backend. The account is named by the token's
 * verified `email` / `phone` claims when it has any (created when unknown and the store allows
 * registration), else by `sub`, which must then be our user id.
 */
export async function loginWithToken(
  stores: TokenLoginDeps,
  app: Application,
  token: string,
  now = Date.now(),
): Promise<{ record: UserRecord; created: boolean }> {
  if (!app.config.token_login.enabled) throw new ApiError(403, "TOKEN_LOGIN_DISABLED", "This store does not offer login with a token");
  const claims = await verifyLoginToken(app, token, now);
  const contacts = vouchedContacts(claims);
  await claimTokenId(stores.guard, app, claims, now);

  if (contacts.length === 0) {
    const id = typeof claims.sub === "string" && /^[0-9a-f]{24}$/.test(claims.sub) ? claims.sub : undefined;
    const record = id && (await stores.users.findById(app.id, id));
    if (!record) throw rejected(`"sub" is not a user of this application (or send verified email/phone claims)`);
    return { record: requireUsable(record), created: false };
  }
  const existing = await accountByContact(stores, app, contacts);
  if (existing) return { record: existing, created: false };
  try {
    return { record: await registerByToken(stores, app, claims, contacts), created: true };
  } catch (error) {
    // A concurrent login created the account since the lookup: that is the account.
    if (!(error instanceof ContactTakenError)) throw error;
    const raced = await accountByContact(stores, app, contacts);
    if (!raced) throw conflict("An account with these contacts already exists");
    return { record: raced, created: false };
  }
}
