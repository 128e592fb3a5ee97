import { env } from "cloudflare:workers";
import { decodeBase32IgnorePadding } from "@oslojs/encoding";
import { generateHOTP } from "@oslojs/otp";
import { APP, registeredUser, storefront, type Account } from "./accounts";
import { call, json } from "./http";
import { createTenant, type Tenant } from "./tenants";
import { SoftwareAuthenticator, type Tamper } from "./webauthn";

export const SHOP_ORIGIN = "https://shop.example.com";
export const PASSKEY_CONFIG = {
  allowed_origins: [SHOP_ORIGIN],
  passkeys: { enabled: true, rp_id: "shop.example.com", rp_name: "Example Shop" },
};
export const MFA_CONFIG = { mfa: { enabled: true, required: "optional" } };

export const PASSKEY_SIGN_IN_OPTIONS = `${APP}/authentication/v1.0/login/passkey/options`;
export const PASSKEY_SIGN_IN = `${APP}/authentication/v1.0/login/passkey`;
export const PASSKEY_OPTIONS = `${APP}/profile/v1.0/passkeys/options`;
export const PASSKEYS = `${APP}/profile/v1.0/passkeys`;
export const MFA = `${APP}/profile/v1.0/mfa`;
export const TOTP_ENROLL = `${APP}/profile/v1.0/mfa/totp`;
export const TOTP_CONFIRM = `${APP}/profile/v1.0/mfa/totp/confirm`;
export const TOTP_DISABLE = `${APP}/profile/v1.0/mfa/totp/disable`;
export const RECOVERY_CODES = `${APP}/profile/v1.0/mfa/recovery-codes`;
export const LOGIN_MFA = `${APP}/authentication/v1.0/login/mfa`;
export const LOGIN_MFA_ENROLL = `${APP}/authentication/v1.0/login/mfa/enroll`;

/** POST a storefront route as the tenant (with a session cookie when given). */
export function postAs(tenant: Tenant, path: string, body: unknown, cookie?: string, headers: Record<string, string> = {}) {
  return call(path, json(body, { method: "POST", headers: storefront(tenant, cookie, headers) }));
}

export const passkeyTenant = (config: Record<string, unknown> = {}) => createTenant({ config: { ...PASSKEY_CONFIG, ...config } });

/** The TOTP code of `secret` (base32) for the 30-second step `offset` steps from now. */
export function totpCode(secret: string, offset = 0, now = Date.now()): string {
  const step = Math.floor(now / 30_000) + offset;
  return generateHOTP(decodeBase32IgnorePadding(secret), BigInt(step), 6);
}

/**
 * Waits (at most 6 s) until the current 30-second step has at least 6 s left, so a test that spends
 * the codes of the previous, current and next steps in turn is not split by a step boundary.
 */
export async function awayFromStepBoundary(): Promise<void> {
  const left = 30_000 - (Date.now() % 30_000);
  if (left < 6_000) await new Promise((r) => setTimeout(r, left + 50));
}

/** Enrolls and confirms TOTP for the account (confirming spends the previous step's code). */
export async function enableTotp(tenant: Tenant, account: Account): Promise<{ secret: string; recoveryCodes: string[] }> {
  await awayFromStepBoundary();
  const res = await postAs(tenant, TOTP_ENROLL, {}, account.cookie);
  if (res.status !== 200) throw new Error(`enroll failed: ${res.status} ${await res.text()}`);
  const { secret } = (await res.json()) as { secret: string };
  const confirm = await postAs(tenant, TOTP_CONFIRM, { code: totpCode(secret, -1) }, account.cookie);
  if (confirm.status !== 200) throw new Error(`confirm failed: ${confirm.status} ${await confirm.text()}`);
  return { secret, recoveryCodes: ((await confirm.json()) as { recovery_codes: string[] }).recovery_codes };
}

type Options = Record<string, unknown> & { challenge: string };

/** Adds a passkey made by `authenticator` to the logged-in account; answers the finishing response. */
export async function addPasskey(tenant: Tenant, cookie: string, authenticator: SoftwareAuthenticator, tamper: Tamper = {}, name?: string) {
  const res = await postAs(tenant, PASSKEY_OPTIONS, {}, cookie);
  if (res.status !== 200) throw new Error(`options failed: ${res.status} ${await res.text()}`);
  const { options } = (await res.json()) as { options: Options };
  const response = await authenticator.register(options as never, tamper);
  return { options, response, res: await postAs(tenant, PASSKEYS, { response, ...(name ? { name } : {}) }, cookie) };
}

/** Asks for sign-in options (discoverable, or for `username`) and signs them with `authenticator`. */
export async function passkeyAssertion(tenant: Tenant, authenticator: SoftwareAuthenticator, tamper: Tamper & { credentialId?: string } = {}, username?: string) {
  const res = await postAs(tenant, PASSKEY_SIGN_IN_OPTIONS, username ? { username } : {});
  if (res.status !== 200) throw new Error(`sign-in options failed: ${res.status} ${await res.text()}`);
  const { options } = (await res.json()) as { options: Options & { allowCredentials?: { id: string }[] } };
  return { options, response: await authenticator.assert(options as never, tamper) };
}

export function signInWithPasskey(tenant: Tenant, response: unknown, headers: Record<string, string> = {}) {
  return postAs(tenant, PASSKEY_SIGN_IN, { response }, undefined, headers);
}

/** A tenant with passkeys on and a registered user holding one passkey of a fresh authenticator. */
export async function userWithPasskey(config: Record<string, unknown> = {}) {
  const tenant = await passkeyTenant(config);
  const account = await registeredUser(tenant);
  const authenticator = new SoftwareAuthenticator(SHOP_ORIGIN);
  const added = await addPasskey(tenant, account.cookie, authenticator);
  if (added.res.status !== 200) throw new Error(`add passkey failed: ${added.res.status} ${await added.res.text()}`);
  const { passkey } = (await added.res.json()) as { passkey: { id: string; credential_id: string } };
  return { tenant, account, authenticator, passkey };
}

export async function eventTypes(userId: string): Promise<string[]> {
  const { results } = await env.DB.prepare("select type from events where user_id = ? order by created_at, rowid").bind(userId).all<{ type: string }>();
  return results.map((r) => r.type);
}

export async function passkeyRows(userId: string) {
  return (await env.DB.prepare("select * from passkeys where user_id = ?").bind(userId).all<Record<string, unknown>>()).results;
}
