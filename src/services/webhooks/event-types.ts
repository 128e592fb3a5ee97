import type { WebhookEventType } from "../../schemas/webhooks";

/**
 * How the events the service records (the `events` table) become
 * webhook messages. Payloads are built from an allowlist per event: ids and what changed, never a
 * contact address, password hash, OTP, token, secret or attribute value (encrypted or not).
 */

/** The type of the message "send test event" sends; not subscribable. */
export const TEST_EVENT_TYPE = "webhook.test";

/** A recorded event as fan-out reads it. */
export interface RecordedEvent {
  id: string;
  applicationId: string;
  userId: string | null;
  type: string;
  actor: string;
  data: Record<string, unknown> | null;
  createdAt: string;
}

export interface WebhookMessage {
  type: WebhookEventType;
  data: Record<string, unknown>;
}

type Data = Record<string, unknown>;

/** Copies only the named keys whose values are plain (string, number, boolean, null or a list of them). */
function pick(data: Data | null, keys: readonly string[]): Data {
  const out: Data = {};
  for (const key of keys) {
    const value = data?.[key];
    if (isPlain(value)) out[key] = value;
  }
  return out;
}

function isPlain(value: unknown): boolean {
  if (value === null || ["string", "number", "boolean"].includes(typeof value)) return true;
  return Array.isArray(value) && value.length <= 1000 && value.every((v) => v === null || ["string", "number", "boolean"].includes(typeof v));
}

/** `platform:<client>` for the store's API clients, else `user` / `system`. */
const by = (actor: string) => (actor.startsWith("platform:") ? "store" : actor === "user" ? "user" : "system");

type Mapper = (event: RecordedEvent) => WebhookMessage[];

const user = (type: WebhookEventType, keys: readonly string[] = []): Mapper => (e) => [
  { type, data: { user_id: e.userId, by: by(e.actor), ...pick(e.data, keys) } },
];

const idList = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : []);

/** Users per group message: a file of 10,000 members becomes several messages. */
const GROUP_IDS_PER_MESSAGE = 500;

/** Group membership events carry the ids that moved; one recorded change may add and remove. */
const membership: Mapper = (e) => {
  const base = { group_id: e.data?.group_id ?? null, by: by(e.actor) };
  const messages = (type: "group.member_added" | "group.member_removed", ids: string[]) =>
    Array.from({ length: Math.ceil(ids.length / GROUP_IDS_PER_MESSAGE) }, (_, i) => ({
      type,
      data: { ...base, user_ids: ids.slice(i * GROUP_IDS_PER_MESSAGE, (i + 1) * GROUP_IDS_PER_MESSAGE) },
    }));
  return [...messages("group.member_added", idList(e.data?.added_user_ids)), ...messages("group.member_removed", idList(e.data?.removed_user_ids))];
};

const job = (action: "import" | "export"): Mapper => (e) => {
  const failed = e.type.endsWith("_failed") || e.data?.status === "failed";
  return [{ type: failed ? "job.failed" : "job.completed", data: { job_id: e.data?.job_id ?? null, action, ...pick(e.data, ["status"]) } }];
};

const sessions: Mapper = (e) => [
  {
    type: "session.revoked",
    data: { user_id: e.userId, by: by(e.actor), session_ids: e.data?.session_id ? [e.data.session_id] : idList(e.data?.session_ids), ...pick(e.data, ["reason"]) },
  },
];

/** Recorded event type → webhook messages. Event types not listed here are not sent. */
const MAPPERS: Record<string, Mapper> = {
  "user.registered": user("user.created", ["method", "channel"]),
  "admin.user.created": user("user.created"),
  "user.logged_in": user("user.login", ["method", "session_id"]),
  "user.login_failed": user("user.login_failed", ["reason", "locked"]),
  "user.profile_updated": user("user.updated", ["fields"]),
  "admin.user.updated": user("user.updated", ["fields"]),
  "user.attributes.updated": (e) => [{ type: "user.updated", data: { user_id: e.userId, by: by(e.actor), attributes_set: idList(e.data?.set), attributes_removed: idList(e.data?.removed) } }],
  "admin.user.attributes.updated": (e) => MAPPERS["user.attributes.updated"]!(e),
  "user.contact_verified": (e) => [{ type: "user.updated", data: { user_id: e.userId, by: by(e.actor), contact_verified: e.data?.channel ?? null } }],
  "user.contact_added": user("user.contact_added", ["channel"]),
  "user.contact_removed": user("user.contact_removed", ["channel"]),
  "user.primary_changed": user("user.primary_changed", ["channel"]),
  "user.contact_changed": user("user.primary_changed", ["channel"]),
  "user.password_changed": user("user.password_changed", ["reason"]),
  "admin.user.blocked": user("user.blocked", ["reason"]),
  "admin.user.unblocked": user("user.unblocked", ["reason"]),
  "admin.user.archived": user("user.archived"),
  "user.deletion_requested": user("user.deleted", ["delete_on", "reason_id"]),
  "admin.user.undeleted": user("user.undeleted", ["reason_id"]),
  "user.erased": user("user.erased"),
  "admin.session.ended": sessions,
  "admin.sessions.ended": sessions,
  "admin.user_group.created": membership,
  "admin.user_group.updated": membership,
  "admin.user_group.members_changed": membership,
  "admin.users.import_finished": job("import"),
  "admin.users.import_failed": job("import"),
  "admin.users.export_finished": job("export"),
  "admin.users.export_failed": job("export"),
  "user.passkey_added": user("user.passkey_added", ["passkey_id"]),
  "user.passkey_removed": user("user.passkey_removed", ["passkey_id"]),
  "user.mfa_enabled": user("user.mfa_enabled", ["method"]),
  "user.mfa_disabled": user("user.mfa_disabled", ["method"]),
  "user.mfa_reset": user("user.mfa_reset", ["method"]),
};

/** The webhook messages a recorded event makes (none for events no webhook covers). */
export function webhookMessagesFor(event: RecordedEvent): WebhookMessage[] {
  return MAPPERS[event.type]?.(event) ?? [];
}

/** The JSON body of a webhook: the Standard Webhooks envelope `{type, timestamp, data}` plus our ids. */
export function envelope(message: { type: string; data: Record<string, unknown> }, ids: { applicationId: string; eventId: string | null }, at: string): string {
  return JSON.stringify({ type: message.type, timestamp: at, application_id: ids.applicationId, event_id: ids.eventId, data: message.data });
}
