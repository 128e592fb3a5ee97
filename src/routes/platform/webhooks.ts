import { z } from "@hono/zod-openapi";
import { createRouter, jsonBody, ok, platformRoute, PlatformParams } from "../../http/openapi";
import {
  CreateWebhookEndpoint,
  ReplayWebhookDeliveries,
  RotateWebhookSecret,
  UpdateWebhookEndpoint,
  WebhookAttemptList,
  WebhookDeliveriesQuery,
  WebhookDelivery,
  WebhookDeliveryList,
  WebhookDeliveryParams,
  WebhookEndpoint,
  WebhookEndpointList,
  WebhookEndpointParams,
  WebhookEndpointWithSecret,
  WebhookEventTypeList,
  WebhookReplayResult,
} from "../../schemas/webhooks";
import { PageQuery } from "../../schemas/pagination";
import {
  createEndpoint,
  deleteEndpoint,
  eventTypes,
  getEndpoint,
  listAttempts,
  listDeliveries,
  listEndpoints,
  replayDelivery,
  replaySince,
  rotateSecret,
  sendTestEvent,
  updateEndpoint,
} from "../../services/webhooks/endpoints";
import { webhookDeps } from "../../wiring/webhooks";

const tags = ["Platform: webhooks (extension)"];
/** Fynd's User API has no webhooks: every route here is an extension, marked so in OpenAPI. */
const extension = { tags, "x-extension": true } as const;
const EndpointParams = PlatformParams.merge(WebhookEndpointParams);
const DeliveryParams = PlatformParams.merge(WebhookDeliveryParams);
const Success = z.object({ success: z.boolean() }).openapi("WebhookDeleteResult");

export const webhookRoutes = createRouter()
  .openapi(
    platformRoute({
      ...extension,
      method: "get",
      path: "/webhooks/event-types",
      operationId: "getWebhookEventTypes",
      summary: "Extension: the event types a webhook endpoint can subscribe to",
      request: { params: PlatformParams },
      responses: ok(WebhookEventTypeList),
    }),
    (c) => c.json(eventTypes(), 200),
  )
  .openapi(
    platformRoute({
      ...extension,
      method: "post",
      path: "/webhooks/endpoints",
      operationId: "createWebhookEndpoint",
      summary: "Extension: subscribe an https endpoint to events; answers its signing secret, once",
      request: { params: PlatformParams, body: jsonBody(CreateWebhookEndpoint) },
      responses: ok(WebhookEndpointWithSecret),
    }),
    async (c) => {
      c.header("Cache-Control", "no-store");
      return c.json(await createEndpoint(webhookDeps(c), c.var.application.id, c.req.valid("json")), 200);
    },
  )
  .openapi(
    platformRoute({
      ...extension,
      method: "get",
      path: "/webhooks/endpoints",
      operationId: "getWebhookEndpoints",
      summary: "Extension: the application's webhook endpoints",
      request: { params: PlatformParams, query: PageQuery },
      responses: ok(WebhookEndpointList),
    }),
    async (c) => c.json(await listEndpoints(webhookDeps(c), c.var.application.id, c.req.valid("query")), 200),
  )
  .openapi(
    platformRoute({
      ...extension,
      method: "get",
      path: "/webhooks/endpoints/{endpoint_id}",
      operationId: "getWebhookEndpoint",
      summary: "Extension: one webhook endpoint (with `disabled_at` / `disabled_reason` when delivery turned it off)",
      request: { params: EndpointParams },
      responses: ok(WebhookEndpoint),
    }),
    async (c) => c.json(await getEndpoint(webhookDeps(c), c.var.application.id, c.req.valid("param").endpoint_id), 200),
  )
  .openapi(
    platformRoute({
      ...extension,
      method: "patch",
      path: "/webhooks/endpoints/{endpoint_id}",
      operationId: "updateWebhookEndpoint",
      summary: "Extension: change an endpoint's URL, event types, description or enabled flag",
      request: { params: EndpointParams, body: jsonBody(UpdateWebhookEndpoint) },
      responses: ok(WebhookEndpoint),
    }),
    async (c) => c.json(await updateEndpoint(webhookDeps(c), c.var.application.id, c.req.valid("param").endpoint_id, c.req.valid("json")), 200),
  )
  .openapi(
    platformRoute({
      ...extension,
      method: "delete",
      path: "/webhooks/endpoints/{endpoint_id}",
      operationId: "deleteWebhookEndpoint",
      summary: "Extension: delete an endpoint with its deliveries and log",
      request: { params: EndpointParams },
      responses: ok(Success),
    }),
    async (c) => c.json(await deleteEndpoint(webhookDeps(c), c.var.application.id, c.req.valid("param").endpoint_id), 200),
  )
  .openapi(
    platformRoute({
      ...extension,
      method: "post",
      path: "/webhooks/endpoints/{endpoint_id}/secret/rotate",
      operationId: "rotateWebhookSecret",
      summary: "Extension: a new signing secret (answered once); the old one also signs for `expire_previous_in_seconds`",
      request: { params: EndpointParams, body: jsonBody(RotateWebhookSecret) },
      responses: ok(WebhookEndpointWithSecret),
    }),
    async (c) => {
      c.header("Cache-Control", "no-store");
      const { endpoint_id } = c.req.valid("param");
      return c.json(await rotateSecret(webhookDeps(c), c.var.application.id, endpoint_id, c.req.valid("json").expire_previous_in_seconds), 200);
    },
  )
  .openapi(
    platformRoute({
      ...extension,
      method: "get",
      path: "/webhooks/endpoints/{endpoint_id}/attempts",
      operationId: "getWebhookAttempts",
      summary: "Extension: the delivery log, the endpoint's last 100 attempts (status, latency, response snippet), newest first",
      request: { params: EndpointParams },
      responses: ok(WebhookAttemptList),
    }),
    async (c) => c.json(await listAttempts(webhookDeps(c), c.var.application.id, c.req.valid("param").endpoint_id), 200),
  )
  .openapi(
    platformRoute({
      ...extension,
      method: "get",
      path: "/webhooks/endpoints/{endpoint_id}/deliveries",
      operationId: "getWebhookDeliveries",
      summary: "Extension: the endpoint's messages (kept 30 days), newest first; `status=dead` lists the dead letters",
      request: { params: EndpointParams, query: WebhookDeliveriesQuery },
      responses: ok(WebhookDeliveryList),
    }),
    async (c) => c.json(await listDeliveries(webhookDeps(c), c.var.application.id, c.req.valid("param").endpoint_id, c.req.valid("query")), 200),
  )
  .openapi(
    platformRoute({
      ...extension,
      method: "post",
      path: "/webhooks/endpoints/{endpoint_id}/test",
      operationId: "sendWebhookTestEvent",
      summary: "Extension: queue a signed `webhook.test` message to the endpoint; its attempts show in the log",
      request: { params: EndpointParams },
      responses: ok(WebhookDelivery),
    }),
    async (c) => c.json(await sendTestEvent(webhookDeps(c), c.var.application.id, c.req.valid("param").endpoint_id), 200),
  )
  .openapi(
    platformRoute({
      ...extension,
      method: "post",
      path: "/webhooks/endpoints/{endpoint_id}/deliveries/{delivery_id}/replay",
      operationId: "replayWebhookDelivery",
      summary: "Extension: send one delivery again (same webhook-id and body, a fresh retry budget)",
      request: { params: DeliveryParams },
      responses: ok(WebhookReplayResult),
    }),
    async (c) => {
      const { endpoint_id, delivery_id } = c.req.valid("param");
      return c.json(await replayDelivery(webhookDeps(c), c.var.application.id, endpoint_id, delivery_id), 200);
    },
  )
  .openapi(
    platformRoute({
      ...extension,
      method: "post",
      path: "/webhooks/endpoints/{endpoint_id}/replay",
      operationId: "replayWebhookDeliveries",
      summary: "Extension: send every delivery of the endpoint since a time again (at most 1000 a call, oldest first)",
      request: { params: EndpointParams, body: jsonBody(ReplayWebhookDeliveries) },
      responses: ok(WebhookReplayResult),
    }),
    async (c) => c.json(await replaySince(webhookDeps(c), c.var.application.id, c.req.valid("param").endpoint_id, c.req.valid("json").since), 200),
  );
