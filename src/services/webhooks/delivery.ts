import type { AttributeCipher } from "../../crypto/attribute-cipher";
import { newId, sha256Hex } from "../../crypto/tokens";
import { chunked } from "../../db/attributes-repo";
import type { Statement } from "../../db/batch";
import type { EventsRepo } from "../../db/events-repo";
import type { DeliveryRow, EndpointRow, NewDeliveryRow, WebhooksRepo } from "../../db/webhooks-repo";
import type { WebhookQueueMessage } from "../../env";
import { envelope, webhookMessagesFor } from "./event-types";
import { signatureHeader } from "./signing";
import { checkTarget } from "./target-guard";

export interface WebhookDeps {
  webhooks: WebhooksRepo;
  events: EventsRepo;
  /** Seals endpoint secrets at rest (AES-GCM, a key per application). */
  cipher: AttributeCipher;
  queue: Queue<WebhookQueueMessage>;
  /** Development: http(s) to loopback is a valid target. Never in production. */
  allowLoopback: boolean;
  /** Multiplies every retry delay: 1 deployed; tests use 0 so retries run back to back. */
  retryScale: number;
}

/** Attempts per delivery: the first at once, then 9 retries spread over ≈ 31.6 hours (see retryDelaySeconds). */
export const MAX_ATTEMPTS = 10;
/** An endpoint whose attempts have all failed for this long is disabled. */
export const DISABLE_AFTER_MS = 3 * 24 * 3600 * 1000;
const TIMEOUT_MS = 10_000;
/** Queues delay a message by at most 12 hours. */
const MAX_DELAY_SECONDS = 43_200;
/** While an attempt runs, the sweep leaves its delivery alone. */
const LEASE_MS = 2 * 60 * 1000;
/** A queue message may arrive this much before its delivery's due time (clocks differ). */
const EARLY_MS = 5_000;
const SNIPPET_CHARS = 1024;
const FANOUT_BATCH = 100;

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Seconds before retry `attempt` (the number of attempts made so far, 1..MAX_ATTEMPTS-1): 5 s × 4ⁿ⁻¹,
 * at most 12 h, ±10 % jitter so endpoints that failed together are not retried together.
 * Nominal: 5 s, 20 s, 80 s, 5⅓ min, 21⅓ min, 85⅓ min, 5.7 h, 12 h, 12 h — 31.6 h in all (≥ 28.4 h with jitter).
 */
export function retryDelaySeconds(attempt: number, random = Math.random()): number {
  const nominal = Math.min(5 * 4 ** (attempt - 1), MAX_DELAY_SECONDS);
  return Math.min(MAX_DELAY_SECONDS, Math.round(nominal * (0.9 + 0.2 * random)));
}

export function secretBinding(endpointId: string): string {
  return `webhook-secret:${endpointId}`;
}

/** The secrets that sign now: the current one, and the previous one until its rotation window ends. */
async function signingSecrets(stores: WebhookDeps, endpoint: EndpointRow, now: number): Promise<string[]> {
  const open = (sealed: string) => stores.cipher.decrypt(endpoint.applicationId, secretBinding(endpoint.id), sealed);
  const secrets = [await open(endpoint.secret)];
  if (endpoint.previousSecret && endpoint.previousSecretExpiresAt && Date.parse(endpoint.previousSecretExpiresAt) > now) {
    secrets.push(await open(endpoint.previousSecret));
  }
  return secrets;
}

/** Turns the application's outbox into deliveries, one per subscribed endpoint and message, and enqueues them. */
export async function fanOut(stores: WebhookDeps, applicationId: string): Promise<void> {
  const entries = await stores.webhooks.outbox(applicationId, FANOUT_BATCH);
  if (entries.length === 0) return;
  const endpoints = await stores.webhooks.enabledEndpoints(applicationId);
  const now = new Date().toISOString();
  const rows: NewDeliveryRow[] = [];
  for (const { event } of entries) {
    if (!event) continue; // the change that recorded it was undone (a registration rolled back)
    for (const [index, message] of webhookMessagesFor(event).entries()) {
      const body = envelope(message, { applicationId, eventId: event.id }, event.createdAt);
      for (const endpoint of endpoints.filter((e) => e.eventTypes.includes(message.type))) {
        rows.push({
          id: `msg_${(await sha256Hex(`${event.id}:${endpoint.id}:${index}`)).slice(0, 32)}`,
          applicationId,
          endpointId: endpoint.id,
          eventId: event.id,
          eventType: message.type,
          payload: body,
          status: "pending",
          attempts: 0,
          nextAttemptAt: now,
          createdAt: now,
        });
      }
    }
  }
  const eventIds = entries.map((e) => e.eventId);
  // Deliveries first, then their messages, then the outbox rows go: a crash anywhere repeats only what is
  // idempotent (a delivery's id follows from its event, endpoint and message; a duplicate message finds it claimed).
  await stores.webhooks.commit(chunked(rows, 6).map((part) => stores.webhooks.insertDeliveriesStatement(part)));
  const unsent = (await Promise.all(chunked(eventIds, 80).map((ids) => stores.webhooks.unsentDeliveries(applicationId, ids)))).flat();
  await enqueueDeliveries(stores, unsent.map((d) => ({ id: d.id, applicationId })));
  await stores.webhooks.commit(chunked(eventIds, 80).map((ids) => stores.webhooks.deleteOutboxStatement(ids)));
  if (entries.length === FANOUT_BATCH) await stores.queue.send({ kind: "fanout", application_id: applicationId });
}

export async function enqueueDeliveries(stores: Pick<WebhookDeps, "queue">, deliveries: { id: string; applicationId: string }[]): Promise<void> {
  for (const part of chunked(deliveries, 100)) {
    await stores.queue.sendBatch(part.map((d) => ({ body: { kind: "deliver", application_id: d.applicationId, delivery_id: d.id } })));
  }
}

interface AttemptResult {
  status: number;
  latencyMs: number;
  error: string | null;
  snippet: string | null;
}

/** Reads at most SNIPPET_CHARS of the answer and drops the rest unread. */
async function snippetOf(response: Response): Promise<string | null> {
  if (!response.body) return null;
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  try {
    while (text.length < SNIPPET_CHARS) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return text.slice(0, SNIPPET_CHARS);
}

async function post(stores: WebhookDeps, endpoint: EndpointRow, delivery: DeliveryRow, now: number): Promise<AttemptResult> {
  const target = checkTarget(endpoint.url, { allowLoopback: stores.allowLoopback });
  if (!target.ok) return { status: 0, latencyMs: 0, error: `Target refused: ${target.reason}`, snippet: null };
  const timestamp = Math.floor(now / 1000);
  const headers = {
    "content-type": "application/json",
    "user-agent": "user-edge-webhooks/1",
    "webhook-id": delivery.id,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": await signatureHeader(await signingSecrets(stores, endpoint, now), delivery.id, timestamp, delivery.payload),
  };
  const started = Date.now();
  try {
    // Redirects are answers, not instructions: following one would let an endpoint point us anywhere.
    const response = await fetch(target.url, { method: "POST", headers, body: delivery.payload, redirect: "manual", signal: AbortSignal.timeout(TIMEOUT_MS) });
    const snippet = await snippetOf(response).catch(() => null);
    return { status: response.status, latencyMs: Date.now() - started, error: null, snippet };
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
    return { status: 0, latencyMs: Date.now() - started, error: timedOut ? `Timed out after ${TIMEOUT_MS / 1000} s` : `Request failed: ${String(error).slice(0, 200)}`, snippet: null };
  }
}

/** What the queue consumer does with the message afterwards. */
export type DeliveryOutcome = { done: true } | { done: false; retryInSeconds: number };

/**
 * One attempt of a delivery: signed POST with a timeout, logged; on failure the next attempt is
 * scheduled, after the last one the delivery is dead-lettered, and an endpoint failing for
 * DISABLE_AFTER_MS is disabled (and the store told: a field on the endpoint and an audit event).
 */
export async function attemptDelivery(stores: WebhookDeps, applicationId: string, deliveryId: string): Promise<DeliveryOutcome> {
  const done = { done: true } as const;
  const delivery = await stores.webhooks.findDelivery(applicationId, deliveryId);
  if (!delivery || delivery.status !== "pending") return done;
  const endpoint = await stores.webhooks.findEndpoint(applicationId, delivery.endpointId);
  if (!endpoint?.enabled) {
    await stores.webhooks.stopDelivery(delivery.id);
    return done;
  }
  const now = Date.now();
  const claimed = await stores.webhooks.claimAttempt(delivery.id, delivery.attempts, iso(now + EARLY_MS), iso(now), iso(now + LEASE_MS));
  // Another message got there first, or this one is early: the message that owns the schedule carries on.
  if (!claimed) return done;
  const attempt = delivery.attempts + 1;
  const result = await post(stores, endpoint, delivery, now);
  const statements: Statement[] = stores.webhooks.attemptStatements({
    id: newId(),
    applicationId,
    endpointId: endpoint.id,
    deliveryId: delivery.id,
    attemptedAt: iso(now),
    status: result.status,
    latencyMs: result.latencyMs,
    error: result.error,
    responseSnippet: result.snippet,
  });
  const succeeded = result.status >= 200 && result.status < 300;
  if (succeeded) {
    statements.push(
      stores.webhooks.deliveryOutcomeStatement(delivery.id, { status: "delivered", lastStatus: result.status, nextAttemptAt: null, deliveredAt: iso(Date.now()) }),
      stores.webhooks.answeringStatement(endpoint.id),
    );
    await stores.webhooks.commit(statements);
    return done;
  }
  const dead = attempt >= MAX_ATTEMPTS;
  const delay = dead ? 0 : Math.round(retryDelaySeconds(attempt) * stores.retryScale);
  statements.push(
    stores.webhooks.deliveryOutcomeStatement(delivery.id, { status: dead ? "dead" : "pending", lastStatus: result.status, nextAttemptAt: dead ? null : iso(now + delay * 1000) }),
    stores.webhooks.failingStatement(endpoint.id, iso(now)),
  );
  const failingSince = endpoint.failingSince ? Date.parse(endpoint.failingSince) : now;
  if (now - failingSince >= DISABLE_AFTER_MS) statements.push(...disableStatements(stores, endpoint, now));
  await stores.webhooks.commit(statements);
  return dead ? done : { done: false, retryInSeconds: delay };
}

function disableStatements(stores: WebhookDeps, endpoint: EndpointRow, now: number): Statement[] {
  const reason = `Every delivery attempt failed since ${endpoint.failingSince}; re-enable the endpoint once it answers 2xx`;
  return [
    stores.webhooks.updateEndpointStatement(endpoint.applicationId, endpoint.id, { enabled: false, disabledAt: iso(now), disabledReason: reason, updatedAt: iso(now) }),
    stores.events.insertStatement({
      applicationId: endpoint.applicationId,
      type: "admin.webhook.endpoint_disabled",
      title: "Webhook endpoint disabled",
      subTitle: endpoint.url,
      actor: "system",
      visible: true,
      data: { endpoint_id: endpoint.id, failing_since: endpoint.failingSince },
      createdAt: iso(now),
    }),
  ];
}
