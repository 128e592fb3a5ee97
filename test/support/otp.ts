import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import worker from "../../src/index";
import type { OutboxEntry } from "../../src/notify/outbox";
import { ORIGIN, call, json } from "./http";
import type { Tenant } from "./tenants";

export const APP = "/service/application/user";

export type OutboxMessage = OutboxEntry;

/** A fresh valid Indian mobile number (national part), unique per call in practice. */
export function randomMobile(): string {
  const digits = crypto.getRandomValues(new Uint32Array(1))[0]! % 1_000_000_000;
  return `9${String(digits).padStart(9, "0")}`;
}

export const e164 = (mobile: string) => `+91${mobile}`;

export function randomEmail(): string {
  return `user-${crypto.randomUUID()}@example.com`;
}

/** POST a storefront route as the tenant's application. */
export function post(tenant: Tenant, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return call(`${APP}${path}`, json(body, { method: "POST", headers: { authorization: tenant.appAuth, ...headers } }));
}

export async function outbox(to: string): Promise<OutboxMessage[]> {
  const res = await call(`/_dev/outbox?to=${encodeURIComponent(to)}`);
  if (res.status !== 200) throw new Error(`outbox: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { messages: OutboxMessage[] }).messages;
}

/** The newest message sent to `to`; fails the test when there is none. */
export async function lastMessage(to: string): Promise<OutboxMessage> {
  const [message] = await outbox(to);
  if (!message) throw new Error(`no message in the outbox for ${to}`);
  return message;
}

export async function lastCode(to: string): Promise<string> {
  const { code } = await lastMessage(to);
  if (!code) throw new Error(`the last message to ${to} has no code`);
  return code;
}

/** The `code` query parameter of the newest link sent to `to`. */
export async function lastLinkCode(to: string): Promise<string> {
  const { link } = await lastMessage(to);
  const code = link ? new URL(link).searchParams.get("code") : null;
  if (!code) throw new Error(`the last message to ${to} has no link code`);
  return code;
}

/** A wrong code of the right shape: never equal to `code`. */
export const wrongCode = (code: string) => code.replace(/\d$/, (d) => String((Number(d) + 1) % 10));

/** Vars for the real email and SMS providers (Resend, Twilio) instead of the dev outbox; tests mock their fetches. */
export const PROVIDER_ENV = {
  DEV_OUTBOX: "false",
  NOTIFY_TRANSPORT: "providers",
  EMAIL_FROM: "Test Store <no-reply@shop.test>",
  RESEND_API_KEY: "re_test_key",
  TWILIO_ACCOUNT_SID: "AC0123456789abcdef",
  TWILIO_AUTH_TOKEN: "twilio-token",
  TWILIO_FROM: "+15005550006",
};

/** Calls the Worker with some vars changed (DEV_OUTBOX off, real providers on, ...). */
export async function callWithEnv(overrides: Partial<Cloudflare.Env>, path: string, init: RequestInit = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(`${ORIGIN}${path}`, init), { ...env, ...overrides }, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

export interface MobileSent {
  success: boolean;
  request_id: string;
  message: string;
  mobile: string;
  country_code: string;
  resend_timer: number;
  resend_token: string;
}
