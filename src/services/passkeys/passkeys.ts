import { generateAuthenticationOptions, generateRegistrationOptions, verifyAuthenticationResponse } from "../../lib/simplewebauthn";
import { fromBase64Url, newId, toBase64Url } from "../../crypto/tokens";
import type { Statement } from "../../db/batch";
import type { EventsRepo } from "../../db/events-repo";
import { isCredentialConflict, type PasskeyRow, type PasskeysRepo } from "../../db/factors-repo";
import type { UserRecord, UsersRepo } from "../../db/users-repo";
import type { FactorGuard } from "../../durable/factor-guard";
import type { LoginGuard } from "../../durable/login-guard";
import { ApiError } from "../../errors";
import type { AuthenticationResponse, RegistrationResponse } from "../../schemas/passkeys";
import { beginLoginAttempt } from "../passwords/login-throttle";
import { findUserByIdentifier } from "../accounts/lookup";
import { accountUnusableReason } from "../accounts/users";
import { verifyNoneAttestation } from "./attestation";
import { CHALLENGE_TTL_MS, claimChallenge, issueChallenge } from "./challenges";
import { relyingParty, type PasskeyTenant } from "./relying-party";

export interface PasskeyDeps {
  passkeys: PasskeysRepo;
  users: UsersRepo;
  events: EventsRepo;
  /** Runs statements as one D1 transaction. */
  commit: (statements: Statement[]) => Promise<void>;
  guard: DurableObjectNamespace<FactorGuard>;
  loginGuard: DurableObjectNamespace<LoginGuard>;
}

const MAX_PASSKEYS = 20;
/** ES256, Ed25519, RS256: what platform authenticators and security keys make. */
const ALGORITHMS = [-7, -8, -257];

const encoder = new TextEncoder();
/** The WebAuthn user handle: our user id's bytes (never an email: the handle is stored on the authenticator). */
const userHandle = (userId: string) => new Uint8Array(encoder.encode(userId));

export function toPasskeySchema(row: PasskeyRow) {
  return {
    id: row.id,
    name: row.name,
    credential_id: row.credentialId,
    transports: row.transports,
    device_type: row.deviceType,
    backed_up: row.backedUp,
    aaguid: row.aaguid,
    created_at: row.createdAt,
    last_used_at: row.lastUsedAt,
  };
}

const verificationFailed = (error: unknown) =>
  new ApiError(400, "PASSKEY_VERIFICATION_FAILED", `The passkey response does not verify: ${(error as Error)?.message ?? "invalid"}`);

/** Options for navigator.credentials.create(): a resident credential with user verification, attestation "none". */
export async function beginPasskeyRegistration(stores: PasskeyDeps, app: PasskeyTenant, user: UserRecord, sessionId: string) {
  const rp = relyingParty(app);
  const existing = await stores.passkeys.forUser(app.id, user.user.id);
  if (existing.length >= MAX_PASSKEYS) throw new ApiError(409, "PASSKEY_LIMIT", `At most ${MAX_PASSKEYS} passkeys per account`);
  const name = user.emails.find((e) => e.primary)?.email ?? user.phones.find((p) => p.primary)?.phone ?? user.user.username;
  const options = await generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userName: name,
    userID: userHandle(user.user.id),
    userDisplayName: `${user.user.firstName} ${user.user.lastName}`.trim() || name,
    timeout: CHALLENGE_TTL_MS,
    attestationType: "none",
    excludeCredentials: existing.map((p) => ({ id: p.credentialId, transports: p.transports })),
    authenticatorSelection: { residentKey: "required", userVerification: "required" },
    supportedAlgorithmIDs: ALGORITHMS,
  });
  await issueChallenge(stores.guard, app.id, options.challenge, { purpose: "register", userId: user.user.id, sessionId });
  return options;
}

/**
 * Verifies the attestation ("none") against the challenge of this session, the RP id and the
 * allowed origins, and stores the credential. The challenge is used up whatever the outcome.
 */
export async function finishPasskeyRegistration(
  stores: PasskeyDeps,
  app: PasskeyTenant,
  user: UserRecord,
  sessionId: string,
  input: { response: RegistrationResponse; name?: string },
) {
  const rp = relyingParty(app);
  const { challenge } = await claimChallenge(
    stores.guard,
    app.id,
    input.response.response.clientDataJSON,
    (r) => r.purpose === "register" && r.userId === user.user.id && r.sessionId === sessionId,
  );
  let info;
  try {
    info = await verifyNoneAttestation(input.response, { challenge, origins: rp.origins, rpId: rp.id, algorithms: ALGORITHMS });
  } catch (error) {
    throw verificationFailed(error);
  }
  const now = new Date().toISOString();
  const row: PasskeyRow = {
    id: newId(),
    applicationId: app.id,
    userId: user.user.id,
    credentialId: info.id,
    publicKey: toBase64Url(info.publicKey),
    counter: info.counter,
    transports: input.response.response.transports ?? [],
    deviceType: info.deviceType,
    backedUp: info.backedUp,
    aaguid: info.aaguid,
    name: input.name ?? "Passkey",
    createdAt: now,
    lastUsedAt: null,
  };
  try {
    await stores.commit([
      stores.passkeys.insertStatement(row),
      stores.events.insertStatement({
        applicationId: app.id,
        userId: user.user.id,
        type: "user.passkey_added",
        title: "Passkey added",
        subTitle: row.name,
        actor: "user",
        visible: true,
        data: { passkey_id: row.id, name: row.name, device_type: row.deviceType },
        createdAt: now,
      }),
    ]);
  } catch (error) {
    if (isCredentialConflict(error)) throw new ApiError(409, "PASSKEY_EXISTS", "This passkey is already registered");
    throw error;
  }
  return row;
}

/**
 * Options for navigator.credentials.get(). Without a username: discoverable credentials (the
 * browser offers the passkeys it holds for the RP id; conditional UI). With one: that account's
 * passkeys only; an unknown name gets options just like an account without passkeys.
 */
export async function beginPasskeySignIn(stores: PasskeyDeps, app: PasskeyTenant, username?: string) {
  const rp = relyingParty(app);
  const user = username ? (await findUserByIdentifier(stores.users, app.id, username)).user : undefined;
  const allowed = user ? await stores.passkeys.forUser(app.id, user.user.id) : [];
  const options = await generateAuthenticationOptions({
    rpID: rp.id,
    timeout: CHALLENGE_TTL_MS,
    userVerification: "required",
    allowCredentials: allowed.map((p) => ({ id: p.credentialId, transports: p.transports as never })),
  });
  // A sign-in for a named account stays bound to it (even an unknown one: then nothing can match).
  await issueChallenge(stores.guard, app.id, options.challenge, { purpose: "sign_in", ...(username ? { userId: user?.user.id ?? "none" } : {}) });
  return options;
}

export const passkeyRefused = (message = "The passkey was not accepted") => new ApiError(401, "PASSKEY_INVALID", message);

/**
 * Verifies an assertion: the challenge (once), the credential, its signature over the RP id and an
 * allowed origin, user verification (so a passkey counts as two factors), and a signature counter
 * that moved forward. A counter that did not (a cloned authenticator) is refused and never moves
 * the stored one. Throttled per client IP and account like a password check. Returns the user.
 */
export async function finishPasskeySignIn(stores: PasskeyDeps, app: PasskeyTenant, response: AuthenticationResponse, clientIp: string) {
  const rp = relyingParty(app);
  const { challenge, record } = await claimChallenge(stores.guard, app.id, response.response.clientDataJSON, (r) => r.purpose === "sign_in");
  const passkey = await stores.passkeys.byCredentialId(app.id, response.id);
  const attempt = await beginLoginAttempt(
    stores.loginGuard,
    app.id,
    app.config.account_lockout,
    passkey ? `user:${passkey.userId}` : `passkey:${response.id}`,
    clientIp,
  );
  const refuse = async (message?: string) => {
    await attempt.failed();
    return passkeyRefused(message);
  };
  if (!passkey) throw await refuse();
  if (record.purpose === "sign_in" && record.userId !== undefined && record.userId !== passkey.userId) throw await refuse();
  if (response.response.userHandle !== undefined && response.response.userHandle !== toBase64Url(userHandle(passkey.userId))) {
    throw await refuse();
  }
  let verified;
  try {
    verified = await verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: rp.origins,
      expectedRPID: rp.id,
      requireUserVerification: true,
      // Our own counter rule below (and the guarded update) decides; the library's would throw an untyped error.
      credential: { id: passkey.credentialId, publicKey: new Uint8Array(fromBase64Url(passkey.publicKey)), counter: 0, transports: passkey.transports as never },
    });
  } catch (error) {
    throw await refuse(`The passkey was not accepted: ${(error as Error)?.message ?? "invalid"}`);
  }
  if (!verified.verified) throw await refuse();
  const { newCounter } = verified.authenticationInfo;
  const regressed = (passkey.counter > 0 || newCounter > 0) && newCounter <= passkey.counter;
  if (regressed || !(await stores.passkeys.recordUse(passkey.id, newCounter, new Date().toISOString()))) {
    console.warn(JSON.stringify({ passkey_counter_regression: passkey.id, stored: passkey.counter, received: newCounter }));
    await attempt.failed();
    throw new ApiError(401, "PASSKEY_CLONED", "This passkey's signature counter went backwards (a cloned authenticator?); it was refused");
  }
  const user = await stores.users.findById(app.id, passkey.userId);
  if (!user) throw await refuse();
  const unusable = accountUnusableReason(user.user);
  await attempt.succeeded();
  if (unusable) throw new ApiError(403, "ACCOUNT_UNUSABLE", unusable);
  return user;
}

export async function listPasskeys(stores: PasskeyDeps, applicationId: string, userId: string) {
  return (await stores.passkeys.forUser(applicationId, userId)).map(toPasskeySchema);
}

export async function renamePasskey(stores: PasskeyDeps, applicationId: string, userId: string, id: string, name: string) {
  const [renamed] = await stores.passkeys.renameStatement(applicationId, userId, id, name);
  if (!renamed) throw new ApiError(404, "PASSKEY_NOT_FOUND", "No such passkey on this account");
  const row = (await stores.passkeys.forUser(applicationId, userId)).find((p) => p.id === id)!;
  return toPasskeySchema(row);
}

/** Removes one passkey of the user (by the user, or an admin: `actor`), recorded on the timeline. */
export async function removePasskey(stores: PasskeyDeps, applicationId: string, userId: string, id: string, actor: string) {
  const [removed] = await stores.passkeys.deleteStatement(applicationId, userId, id);
  if (!removed) throw new ApiError(404, "PASSKEY_NOT_FOUND", "No such passkey on this account");
  await stores.events.record({
    applicationId,
    userId,
    type: "user.passkey_removed",
    title: "Passkey removed",
    subTitle: removed.name,
    actor,
    visible: true,
    data: { passkey_id: removed.id, name: removed.name },
  });
}
