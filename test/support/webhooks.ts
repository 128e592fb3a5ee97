import { env } from "cloudflare:workers";
import { expect, vi } from "vitest";
import type { Admin } from "./customers";
import { json } from "./http";

/** A webhook POST the Worker made, as the receiver saw it. */
export interface Received {
  url: string;
  headers: Record<string, string>;
  body: string;
  init: RequestInit;
}

export const HOOK_URL = "https://hooks.example.com/user-edge";

/**
 * The seller's receiver, in place of the network: outbound fetches to https://hooks.* are recorded
 * and answered by `answer` (n counts the POSTs, from 1); anything else goes to the real fetch.
 */
export function receiver(answer: (n: number, request: Received) => Response | Promise<Response> = () => new Response("ok")) {
  const received: Received[] = [];
  const original = globalThis.fetch;
  const spy = vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (!url.startsWith("https://hooks.")) return original(input as RequestInfo, init);
    const request = new Request(url, init);
    const entry = { url, headers: Object.fromEntries(request.headers), body: await request.text(), init: init ?? {} };
    received.push(entry);
    return answer(received.length, entry);
  });
  return { received, spy };
}

export interface Endpoint {
  id: string;
  url: string;
  event_types: string[];
  enabled: boolean;
  secret: string;
  disabled_at: string | null;
  disabled_reason: string | null;
  failing_since: string | null;
  previous_secret_expires_at: string | null;
}

export async function subscribe(admin: Admin, body: Record<string, unknown> = {}): Promise<Endpoint> {
  const res = await admin.api("/webhooks/endpoints", json({ url: HOOK_URL, event_types: ["user.created"], ...body }, { method: "POST" }));
  if (res.status !== 200) throw new Error(`subscribe failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as Endpoint;
}

export interface Attempt {
  delivery_id: string;
  status: number;
  latency_ms: number;
  error: string | null;
  response_snippet: string | null;
}

export async function attempts(admin: Admin, endpointId: string): Promise<Attempt[]> {
  const res = await admin.api(`/webhooks/endpoints/${endpointId}/attempts`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: Attempt[] }).items;
}

export interface Delivery {
  id: string;
  event_type: string;
  status: string;
  attempts: number;
  payload: { type: string; data: Record<string, unknown> };
}

export async function deliveries(admin: Admin, endpointId: string, query = ""): Promise<Delivery[]> {
  const res = await admin.api(`/webhooks/endpoints/${endpointId}/deliveries?page_size=100${query}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: Delivery[] }).items;
}

/** Polls until `check` answers something truthy (the queue consumer runs beside the test). */
export async function until<T>(check: () => Promise<T | undefined | false>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Rows of a webhooks table for the application (for "nothing was written"). */
export async function webhookRows(table: "webhook_endpoints" | "webhook_deliveries" | "webhook_attempts" | "webhook_outbox", applicationId: string) {
  const row = await env.DB.prepare(`select count(*) as n from ${table} where application_id = ?`).bind(applicationId).first<{ n: number }>();
  return row?.n ?? 0;
}
