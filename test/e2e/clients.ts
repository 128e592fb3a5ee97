import { ApplicationClient, ApplicationConfig, PlatformClient, PlatformConfig, PlatformModel } from "@gofynd/fdk-client-javascript";
import { expect } from "vitest";

/** The demo tenant seeded by scripts/seed-demo.sql (also in README.md). */
export const DEMO = {
  companyId: "1",
  applicationId: "000000000000000000000001",
  applicationToken: "demo-application-token",
  clientId: "demo-client",
  clientSecret: "demo-secret",
} as const;

export const SESSION_COOKIE = "f.session";

let sequence = 0;
const unique = () => `${Date.now().toString(36)}${(sequence++).toString(36)}${Math.random().toString(36).slice(2, 6)}`;

/** Fresh contacts for each scenario, so suites sharing the demo application never collide. */
export const freshEmail = (prefix: string) => `${prefix}-${unique()}@example.com`;
/** An Indian mobile number (valid for libphonenumber), unique enough for one run. */
export const freshMobile = () => `98${String(Math.floor(Math.random() * 1e8)).padStart(8, "0")}`;

interface OutboxMessage {
  channel: "email" | "sms";
  to: string;
  purpose: string;
  code?: string;
  link?: string;
}

/** The newest message the dev outbox holds for `to` with this purpose (what a real user would receive). */
export async function outboxMessage(workerUrl: string, to: string, purpose: string): Promise<OutboxMessage> {
  const res = await fetch(`${workerUrl}/_dev/outbox?to=${encodeURIComponent(to)}`);
  expect(res.status).toBe(200);
  const { messages } = (await res.json()) as { messages: OutboxMessage[] };
  const message = messages.find((m) => m.purpose === purpose);
  if (!message) throw new Error(`no ${purpose} message for ${to} in the outbox: ${JSON.stringify(messages)}`);
  return message;
}

export async function outboxCode(workerUrl: string, to: string, purpose: string): Promise<string> {
  const { code } = await outboxMessage(workerUrl, to, purpose);
  if (!code) throw new Error(`the ${purpose} message for ${to} carries no code`);
  return code;
}

/**
 * An unmodified storefront SDK client. Server-side, the SDK carries the end user's session only as a
 * raw `cookie` header set with ApplicationConfig.setCookie; `keepSession` feeds it the f.session
 * cookie from a response's Set-Cookie, as a storefront's server would.
 */
export function storefrontSdk(workerUrl: string) {
  const config = new ApplicationConfig(
    { applicationID: DEMO.applicationId, applicationToken: DEMO.applicationToken, domain: workerUrl },
    // No effect in 3.4.2, whose application client validates nothing (hence expectSdkUser); on for later versions.
    { strictResponseCheck: true },
  );
  // The second argument only matters when the first is a plain object.
  return { client: new ApplicationClient(config, {}), config };
}

export type StorefrontSdk = ReturnType<typeof storefrontSdk>;

type HeaderBag = Record<string, string | string[] | undefined>;

/** The f.session value a response sets ("" when it clears the cookie), or undefined when it leaves it alone. */
export function sessionFromSetCookie(headers: HeaderBag): string | undefined {
  const raw = headers["set-cookie"];
  const cookies = Array.isArray(raw) ? raw : raw ? [raw] : [];
  for (const cookie of cookies) {
    const [pair = ""] = cookie.split(";");
    const eq = pair.indexOf("=");
    if (pair.slice(0, eq).trim() === SESSION_COOKIE) return pair.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * Awaits an SDK call made with `{ responseHeaders: true }` (the SDK then resolves [body, headers]),
 * keeps whatever f.session it sets on the config, and returns the body.
 */
export async function keepSession<T = any>(config: StorefrontSdk["config"], pending: Promise<unknown>): Promise<T> {
  const [body, headers] = (await pending) as [T, HeaderBag];
  const session = sessionFromSetCookie(headers);
  if (session !== undefined) config.setCookie(session ? `${SESSION_COOKIE}=${session}` : "");
  return body;
}

export interface Account extends StorefrontSdk {
  email: string;
  mobile?: string;
  userId: string;
}

/**
 * registerWithForm as a storefront calls it. The demo application wants the email proven before the
 * first session (register_required_fields.email.level "hard"): registration answers with a register_token
 * and no session, and verifyEmailOTP with the outbox code and that token logs the new account in.
 */
export async function registerAccount(
  workerUrl: string,
  { password, email = freshEmail("sdk"), mobile }: { password: string; email?: string; mobile?: string },
): Promise<Account> {
  const sdk = storefrontSdk(workerUrl);
  const { client, config } = sdk;
  const body = { first_name: "Sdk", last_name: "Contract", email, password, consent: true, ...(mobile ? { phone: { country_code: "91", mobile } } : {}) };
  const registered = await keepSession(config, client.user.registerWithForm({ body }, { responseHeaders: true }));
  expect(registered).toMatchObject({ success: true, user_exists: false, email, verify_email_otp: true, register_token: expect.any(String) });
  expect(config.cookie).toBeUndefined();

  const otp = await outboxCode(workerUrl, email, "register");
  const verified = await keepSession(
    config,
    client.user.verifyEmailOTP({ body: { email, otp, register_token: registered.register_token } }, { responseHeaders: true }),
  );
  expect(verified).toMatchObject({ user_exists: false, user: { emails: [{ email, verified: true, primary: true, active: true }] } });
  expect(config.cookie).toMatch(/^f\.session=./);
  return { ...sdk, email, ...(mobile ? { mobile } : {}), userId: verified.user._id };
}

/** A client_credentials token from our OAuth endpoint (the SDK itself only knows code and refresh grants). */
export async function platformToken(workerUrl: string) {
  const res = await fetch(`${workerUrl}/service/panel/authentication/v1.0/company/${DEMO.companyId}/oauth/token`, {
    method: "POST",
    headers: {
      authorization: `Basic ${btoa(`${DEMO.clientId}:${DEMO.clientSecret}`)}`,
      "content-type": "application/x-www-form-urlencoded",
    },
    body: "grant_type=client_credentials",
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { access_token: string; refresh_token: string; expires_in: number; token_type: string };
}

/** An unmodified platform SDK client with strict response checking, holding a token from our OAuth endpoint. */
export async function platformSdk(workerUrl: string) {
  const config = new PlatformConfig(
    {
      companyId: DEMO.companyId,
      apiKey: DEMO.clientId,
      apiSecret: DEMO.clientSecret,
      domain: workerUrl,
      // No background timer: the SDK renews through our refresh grant when the token nears expiry.
      useAutoRenewTimer: false,
    },
    { strictResponseCheck: true },
  );
  const token = await platformToken(workerUrl);
  config.oauthClient.setToken(token);
  // What the SDK's own verifyCallback/renewAccessToken do after setToken.
  config.oauthClient.token_expires_at = Date.now() + token.expires_in * 1000;
  const client = new PlatformClient(config, {});
  return { client, config, admin: client.application(DEMO.applicationId).user };
}

interface JoiSchema {
  validate(value: unknown, options: object): { error?: { message: string } };
}

/**
 * The SDK's own UserSchema model (the same object both APIs return, §3.1 of the contract), used to check
 * storefront responses, which the application SDK does not validate itself.
 */
export function expectSdkUser(user: unknown) {
  // The SDK's .d.ts types its model factories as the model type; at run time they return Joi schemas.
  const schema = PlatformModel.UserPlatformModel.UserSchema() as unknown as JoiSchema;
  const { error } = schema.validate(user, { abortEarly: false, allowUnknown: true });
  expect(error?.message).toBeUndefined();
  expect(user).toMatchObject({ _id: expect.any(String), user_id: expect.any(String), emails: expect.any(Array), phone_numbers: expect.any(Array) });
}
