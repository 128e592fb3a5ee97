import { newId } from "../../crypto/tokens";
import type { AttemptRow, DeliveryRow, EndpointRow } from "../../db/webhooks-repo";
import { conflict, invalidField, notFound } from "../../errors";
import { pageWindow, pagination, type PageQuery } from "../../schemas/pagination";
import {
  MAX_REPLAY,
  WEBHOOK_EVENT_TYPES,
  type CreateWebhookEndpoint,
  type UpdateWebhookEndpoint,
  type WebhookEndpoint,
} from "../../schemas/webhooks";
import { enqueueDeliveries, secretBinding, type WebhookDeps } from "./delivery";
import { forgetEndpoints } from "./dispatch";
import { envelope, TEST_EVENT_TYPE } from "./event-types";
import { newSigningSecret } from "./signing";
import { checkTarget } from "./target-guard";

/** An endpoint as the API shows it: never its secret. */
function view(row: EndpointRow): WebhookEndpoint {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    event_types: row.eventTypes,
    enabled: row.enabled,
    failing_since: row.failingSince,
    disabled_at: row.disabledAt,
    disabled_reason: row.disabledReason,
    previous_secret_expires_at: row.previousSecretExpiresAt && Date.parse(row.previousSecretExpiresAt) > Date.now() ? row.previousSecretExpiresAt : null,
    created_at: row.createdAt,
    updated_at: row.updatedAt,
  };
}

function requireTarget(stores: WebhookDeps, url: string): string {
  const target = checkTarget(url, { allowLoopback: stores.allowLoopback });
  if (!target.ok) throw invalidField("body", "url", target.reason);
  return target.url.href;
}

async function requireEndpoint(stores: WebhookDeps, applicationId: string, id: string): Promise<EndpointRow> {
  const row = await stores.webhooks.findEndpoint(applicationId, id);
  if (!row) throw notFound("No such webhook endpoint in this application");
  return row;
}

/** Sending needs an enabled endpoint: a disabled one drops what reaches it. */
async function requireEnabled(stores: WebhookDeps, applicationId: string, id: string): Promise<EndpointRow> {
  const row = await requireEndpoint(stores, applicationId, id);
  if (!row.enabled) throw conflict("The webhook endpoint is disabled; enable it first");
  return row;
}

const seal = (stores: WebhookDeps, applicationId: string, endpointId: string, secret: string) =>
  stores.cipher.encrypt(applicationId, secretBinding(endpointId), secret);

export function eventTypes() {
  return { items: Object.entries(WEBHOOK_EVENT_TYPES).map(([type, description]) => ({ type, description })) };
}

export async function createEndpoint(stores: WebhookDeps, applicationId: string, input: CreateWebhookEndpoint) {
  const url = requireTarget(stores, input.url);
  const id = newId();
  const secret = newSigningSecret();
  const now = new Date().toISOString();
  const row: EndpointRow = {
    id,
    applicationId,
    url,
    description: input.description ?? "",
    eventTypes: input.event_types,
    enabled: input.enabled ?? true,
    secret: await seal(stores, applicationId, id, secret),
    previousSecret: null,
    previousSecretExpiresAt: null,
    failingSince: null,
    disabledAt: null,
    disabledReason: null,
    createdAt: now,
    updatedAt: now,
  };
  await stores.webhooks.insertEndpoint(row);
  forgetEndpoints(applicationId);
  return { ...view(row), secret };
}

export async function listEndpoints(stores: WebhookDeps, applicationId: string, page: PageQuery) {
  const { limit, offset } = pageWindow(page);
  const { rows, total } = await stores.webhooks.listEndpoints(applicationId, limit, offset);
  return { items: rows.map(view), page: pagination(page, total) };
}

export async function getEndpoint(stores: WebhookDeps, applicationId: string, id: string) {
  return view(await requireEndpoint(stores, applicationId, id));
}

export async function updateEndpoint(stores: WebhookDeps, applicationId: string, id: string, input: UpdateWebhookEndpoint) {
  const current = await requireEndpoint(stores, applicationId, id);
  const url = input.url === undefined ? undefined : requireTarget(stores, input.url);
  const reEnabled = input.enabled === true && !current.enabled;
  const changes = {
    url,
    eventTypes: input.event_types,
    description: input.description,
    enabled: input.enabled,
    // A fresh start: the 3-day clock runs again from the next failure.
    ...(reEnabled ? { disabledAt: null, disabledReason: null, failingSince: null } : {}),
    updatedAt: new Date().toISOString(),
  };
  if (!(await stores.webhooks.updateEndpoint(applicationId, id, changes))) throw notFound("No such webhook endpoint in this application");
  forgetEndpoints(applicationId);
  return getEndpoint(stores, applicationId, id);
}

export async function deleteEndpoint(stores: WebhookDeps, applicationId: string, id: string) {
  if (!(await stores.webhooks.deleteEndpoint(applicationId, id))) throw notFound("No such webhook endpoint in this application");
  forgetEndpoints(applicationId);
  return { success: true };
}

/** A new secret, shown once; the old one keeps signing beside it for `expireInSeconds`. */
export async function rotateSecret(stores: WebhookDeps, applicationId: string, id: string, expireInSeconds: number) {
  const current = await requireEndpoint(stores, applicationId, id);
  const secret = newSigningSecret();
  const now = Date.now();
  await stores.webhooks.updateEndpoint(applicationId, id, {
    secret: await seal(stores, applicationId, id, secret),
    previousSecret: expireInSeconds > 0 ? current.secret : null,
    previousSecretExpiresAt: expireInSeconds > 0 ? new Date(now + expireInSeconds * 1000).toISOString() : null,
    updatedAt: new Date(now).toISOString(),
  });
  return { ...(await getEndpoint(stores, applicationId, id)), secret };
}

function attemptView(row: AttemptRow) {
  return {
    id: row.id,
    delivery_id: row.deliveryId,
    attempted_at: row.attemptedAt,
    status: row.status,
    latency_ms: row.latencyMs,
    error: row.error,
    response_snippet: row.responseSnippet,
  };
}

function deliveryView(row: DeliveryRow) {
  return {
    id: row.id,
    event_id: row.eventId,
    event_type: row.eventType,
    status: row.status,
    attempts: row.attempts,
    next_attempt_at: row.status === "pending" ? row.nextAttemptAt : null,
    last_attempt_at: row.lastAttemptAt,
    last_status: row.lastStatus,
    delivered_at: row.deliveredAt,
    created_at: row.createdAt,
    payload: JSON.parse(row.payload) as Record<string, unknown>,
  };
}

/** The delivery log: the endpoint's last 100 attempts, newest first. */
export async function listAttempts(stores: WebhookDeps, applicationId: string, id: string) {
  await requireEndpoint(stores, applicationId, id);
  return { items: (await stores.webhooks.attempts(applicationId, id)).map(attemptView) };
}

export async function listDeliveries(stores: WebhookDeps, applicationId: string, id: string, query: PageQuery & { status?: DeliveryRow["status"] }) {
  await requireEndpoint(stores, applicationId, id);
  const { limit, offset } = pageWindow(query);
  const { rows, total } = await stores.webhooks.listDeliveries(applicationId, id, { status: query.status }, limit, offset);
  return { items: rows.map(deliveryView), page: pagination(query, total) };
}

/** Sends a `webhook.test` message to the endpoint (whatever it subscribes to), through the normal queue. */
export async function sendTestEvent(stores: WebhookDeps, applicationId: string, id: string) {
  const endpoint = await requireEnabled(stores, applicationId, id);
  const now = new Date().toISOString();
  const deliveryId = `msg_${newId()}`;
  const payload = envelope({ type: TEST_EVENT_TYPE, data: { endpoint_id: endpoint.id } }, { applicationId, eventId: null }, now);
  await stores.webhooks.insertDelivery({
    id: deliveryId,
    applicationId,
    endpointId: endpoint.id,
    eventId: null,
    eventType: TEST_EVENT_TYPE,
    payload,
    status: "pending",
    attempts: 0,
    nextAttemptAt: now,
    createdAt: now,
  });
  await enqueueDeliveries(stores, [{ id: deliveryId, applicationId }]);
  return deliveryView((await stores.webhooks.findDelivery(applicationId, deliveryId))!);
}

/** Sends one delivery again (same `webhook-id` and body), with a fresh attempt budget. */
export async function replayDelivery(stores: WebhookDeps, applicationId: string, endpointId: string, deliveryId: string) {
  await requireEnabled(stores, applicationId, endpointId);
  const ids = await stores.webhooks.replay(applicationId, endpointId, { id: deliveryId }, new Date().toISOString());
  if (ids.length === 0) throw notFound("No such delivery for this webhook endpoint");
  await enqueueDeliveries(stores, ids.map((d) => ({ id: d, applicationId })));
  return { delivery_ids: ids };
}

/** Sends every delivery of the endpoint created since `since` again (at most MAX_REPLAY a call, oldest first). */
export async function replaySince(stores: WebhookDeps, applicationId: string, endpointId: string, since: string) {
  await requireEnabled(stores, applicationId, endpointId);
  const at = new Date(since);
  if (at.getTime() > Date.now()) throw invalidField("body", "since", "must not be in the future");
  const ids = await stores.webhooks.replay(applicationId, endpointId, { since: at.toISOString(), limit: MAX_REPLAY }, new Date().toISOString());
  await enqueueDeliveries(stores, ids.map((d) => ({ id: d, applicationId })));
  return { delivery_ids: ids };
}
