import { z } from "@hono/zod-openapi";
import { PageQuery, paged } from "./pagination";

/** Every event type an endpoint can subscribe to, with what it means. */
export const WEBHOOK_EVENT_TYPES = {
  "user.created": "An account was registered (any method) or created by the store",
  "user.login": "A user logged in (any method); `data.method` says how",
  "user.login_failed": "A password login to an existing account failed; at most one per account per 15 minutes",
  "user.updated": "Profile fields or attribute values changed, or a contact was verified; `data` names what changed",
  "user.contact_added": "An email or mobile number was added to the account",
  "user.contact_removed": "An email or mobile number was removed from the account",
  "user.primary_changed": "The primary email or mobile number changed",
  "user.password_changed": "The password was changed or reset",
  "user.blocked": "The store blocked the account",
  "user.unblocked": "The store unblocked the account",
  "user.archived": "The store archived the account",
  "user.deleted": "The user asked for deletion; the account is erased at `data.delete_on` unless undeleted",
  "user.undeleted": "A scheduled deletion was cancelled",
  "user.erased": "A deleted account was erased (anonymised)",
  "session.revoked": "The store ended one or all of a user's sessions",
  "group.member_added": "Users were added to a bulk user group",
  "group.member_removed": "Users were removed from a bulk user group",
  "job.completed": "An import or export job finished (`data.status`: complete or partial)",
  "job.failed": "An import or export job failed",
  "user.passkey_added": "A passkey was registered on the account",
  "user.passkey_removed": "A passkey was removed from the account",
  "user.mfa_enabled": "Multi-factor authentication was turned on",
  "user.mfa_disabled": "Multi-factor authentication was turned off",
  "user.mfa_reset": "The store reset the user's multi-factor authentication",
} as const;

export type WebhookEventType = keyof typeof WEBHOOK_EVENT_TYPES;
export const WEBHOOK_EVENT_NAMES = Object.keys(WEBHOOK_EVENT_TYPES) as [WebhookEventType, ...WebhookEventType[]];

const EventTypeName = z.enum(WEBHOOK_EVENT_NAMES).openapi("WebhookEventTypeName");

const endpointFields = {
  url: z.string().trim().min(1).max(2048).openapi({
    description: "https URL that receives the POSTs (http://localhost only where local targets are allowed, in development)",
    example: "https://hooks.example.com/user-edge",
  }),
  event_types: z
    .array(EventTypeName)
    .min(1)
    .max(WEBHOOK_EVENT_NAMES.length)
    .transform((types) => [...new Set(types)])
    .openapi({ description: "The event types to receive (see getWebhookEventTypes)" }),
  description: z.string().max(500),
  enabled: z.boolean().openapi({ description: "false: nothing is sent (events meanwhile are not kept for it)" }),
};

export const CreateWebhookEndpoint = z
  .object({ ...endpointFields, description: endpointFields.description.optional(), enabled: endpointFields.enabled.optional() })
  .openapi("CreateWebhookEndpoint");
export type CreateWebhookEndpoint = z.infer<typeof CreateWebhookEndpoint>;

export const UpdateWebhookEndpoint = z
  .object(endpointFields)
  .partial()
  .refine((body) => Object.values(body).some((v) => v !== undefined), { message: "Give at least one of url, event_types, description, enabled" })
  .openapi("UpdateWebhookEndpoint", { description: "Re-enabling an endpoint that delivery disabled clears `disabled_at` and `failing_since`" });
export type UpdateWebhookEndpoint = z.infer<typeof UpdateWebhookEndpoint>;

export const MAX_ROTATION_WINDOW_SECONDS = 7 * 86_400;

export const RotateWebhookSecret = z
  .object({
    expire_previous_in_seconds: z
      .number()
      .int()
      .min(0)
      .max(MAX_ROTATION_WINDOW_SECONDS)
      .default(86_400)
      .openapi({ description: "How long the old secret keeps signing beside the new one (0: stops now); default 24 h" }),
  })
  .openapi("RotateWebhookSecret");

export const WebhookEndpointParams = z.object({
  endpoint_id: z.string().min(1).max(64).openapi({ param: { name: "endpoint_id", in: "path" }, example: "0123456789abcdef01234567" }),
});
export const WebhookDeliveryParams = WebhookEndpointParams.extend({
  delivery_id: z.string().min(1).max(64).openapi({ param: { name: "delivery_id", in: "path" }, example: "msg_0123456789abcdef01234567" }),
});

export const WebhookEndpoint = z
  .object({
    id: z.string(),
    url: z.string(),
    description: z.string(),
    event_types: z.array(z.string()),
    enabled: z.boolean(),
    failing_since: z.string().nullable().openapi({ description: "First failed attempt since the last success" }),
    disabled_at: z.string().nullable().openapi({ description: "When delivery disabled the endpoint (failing for 3 days)" }),
    disabled_reason: z.string().nullable(),
    previous_secret_expires_at: z.string().nullable().openapi({ description: "Until then the secret before the last rotation also signs" }),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi("WebhookEndpoint");
export type WebhookEndpoint = z.infer<typeof WebhookEndpoint>;

export const WebhookEndpointWithSecret = WebhookEndpoint.extend({
  secret: z.string().openapi({ description: "The signing secret (`whsec_…`); shown only in this response", example: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" }),
}).openapi("WebhookEndpointWithSecret");

export const WebhookEndpointList = paged(WebhookEndpoint).openapi("WebhookEndpointList");

export const WebhookDeliveryStatus = z.enum(["pending", "delivered", "dead"]);

export const WebhookDeliveriesQuery = PageQuery.extend({
  status: WebhookDeliveryStatus.optional().openapi({ param: { name: "status", in: "query" }, description: "dead: every attempt failed (the dead letters)" }),
});

export const WebhookDelivery = z
  .object({
    id: z.string().openapi({ description: "The `webhook-id` header: the same on every attempt and replay" }),
    event_id: z.string().nullable(),
    event_type: z.string(),
    status: WebhookDeliveryStatus,
    attempts: z.number().int(),
    next_attempt_at: z.string().nullable(),
    last_attempt_at: z.string().nullable(),
    last_status: z.number().int().nullable(),
    delivered_at: z.string().nullable(),
    created_at: z.string(),
    payload: z.record(z.string(), z.unknown()).openapi({ description: "The JSON body that is POSTed" }),
  })
  .openapi("WebhookDelivery");

export const WebhookDeliveryList = paged(WebhookDelivery).openapi("WebhookDeliveryList");

export const WebhookAttempt = z
  .object({
    id: z.string(),
    delivery_id: z.string(),
    attempted_at: z.string(),
    status: z.number().int().openapi({ description: "HTTP status answered; 0 when there was no answer" }),
    latency_ms: z.number().int(),
    error: z.string().nullable(),
    response_snippet: z.string().nullable().openapi({ description: "The first 1024 characters of the answer" }),
  })
  .openapi("WebhookAttempt");

export const WebhookAttemptList = z.object({ items: z.array(WebhookAttempt) }).openapi("WebhookAttemptList");

export const WebhookEventTypeList = z
  .object({ items: z.array(z.object({ type: z.string(), description: z.string() })) })
  .openapi("WebhookEventTypeList");

export const MAX_REPLAY = 1000;

export const ReplayWebhookDeliveries = z
  .object({
    since: z.iso.datetime({ offset: true }).openapi({ description: "Every delivery of the endpoint created since then (at most 1000, oldest first)" }),
  })
  .openapi("ReplayWebhookDeliveries");

export const WebhookReplayResult = z.object({ delivery_ids: z.array(z.string()) }).openapi("WebhookReplayResult");
