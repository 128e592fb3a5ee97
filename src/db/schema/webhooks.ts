import { sqliteTable, text, integer, index } from "drizzle-orm/sqlite-core";
import { applications } from "./tenants";

/** A seller's webhook subscription: where to POST which event types, signed with the endpoint's secret. */
export const webhookEndpoints = sqliteTable(
  "webhook_endpoints",
  {
    id: text("id").primaryKey(),
    applicationId: text("application_id").notNull().references(() => applications.id),
    url: text("url").notNull(),
    description: text("description").notNull().default(""),
    /** Webhook event type names (services/webhooks/event-types.ts), e.g. `["user.created"]`. */
    eventTypes: text("event_types", { mode: "json" }).notNull().$type<string[]>(),
    enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
    /** The signing secret (`whsec_…`), sealed with AES-GCM (never stored or logged in the clear). */
    secret: text("secret").notNull(),
    /** The secret before the last rotation, still signing until `previous_secret_expires_at`. */
    previousSecret: text("previous_secret"),
    previousSecretExpiresAt: text("previous_secret_expires_at"),
    /** First failed attempt since the last success; null while the endpoint answers. */
    failingSince: text("failing_since"),
    /** Set when delivery turned the endpoint off (failing for too long); cleared when re-enabled. */
    disabledAt: text("disabled_at"),
    disabledReason: text("disabled_reason"),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [index("webhook_endpoints_app_idx").on(t.applicationId, t.createdAt)],
);

/**
 * The transactional outbox: one row per event recorded in an application that has an enabled
 * endpoint, written by a trigger on `events` (migrations, custom) in the same statement as the
 * event itself, so an event is never recorded without its outbox row. Fan-out deletes the row.
 */
export const webhookOutbox = sqliteTable(
  "webhook_outbox",
  {
    eventId: text("event_id").primaryKey(),
    applicationId: text("application_id").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [index("webhook_outbox_created_idx").on(t.createdAt)],
);

export type DeliveryStatus = "pending" | "delivered" | "dead";

/**
 * One message for one endpoint: its id is the `webhook-id` header, the same on every attempt and replay,
 * derived from (event, endpoint, message) so a repeated fan-out makes no second delivery.
 */
export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    id: text("id").primaryKey(),
    applicationId: text("application_id").notNull(),
    endpointId: text("endpoint_id").notNull(),
    /** The recorded event it came from; null for test events. */
    eventId: text("event_id"),
    eventType: text("event_type").notNull(),
    /** The exact JSON body sent (ids and what changed, nothing secret). */
    payload: text("payload").notNull(),
    status: text("status").notNull().$type<DeliveryStatus>(),
    /** Attempts made since the delivery was created or last replayed. */
    attempts: integer("attempts").notNull().default(0),
    /** When the next attempt is due (pending only); the sweep re-enqueues deliveries long past it. */
    nextAttemptAt: text("next_attempt_at"),
    lastAttemptAt: text("last_attempt_at"),
    lastStatus: integer("last_status"),
    deliveredAt: text("delivered_at"),
    createdAt: text("created_at").notNull(),
  },
  (t) => [
    index("webhook_deliveries_event_idx").on(t.eventId),
    index("webhook_deliveries_endpoint_idx").on(t.endpointId, t.createdAt),
    index("webhook_deliveries_due_idx").on(t.status, t.nextAttemptAt),
  ],
);

/** The delivery log: each POST made, the last 100 kept per endpoint. */
export const webhookAttempts = sqliteTable(
  "webhook_attempts",
  {
    id: text("id").primaryKey(),
    applicationId: text("application_id").notNull(),
    endpointId: text("endpoint_id").notNull(),
    deliveryId: text("delivery_id").notNull(),
    attemptedAt: text("attempted_at").notNull(),
    /** HTTP status answered; 0 when there was no answer (timeout, connection refused, refused target). */
    status: integer("status").notNull(),
    latencyMs: integer("latency_ms").notNull(),
    /** Why it failed without an answer, or null. */
    error: text("error"),
    /** The first bytes of the response body (truncated). */
    responseSnippet: text("response_snippet"),
  },
  (t) => [index("webhook_attempts_endpoint_idx").on(t.endpointId, t.attemptedAt)],
);
