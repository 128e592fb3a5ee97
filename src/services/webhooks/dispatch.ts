import type { WebhooksRepo } from "../../db/webhooks-repo";
import type { WebhookQueueMessage } from "../../env";
import { enqueueDeliveries } from "./delivery";

/** How long an isolate trusts what it learnt about an application having enabled endpoints. */
const KNOWN_FOR_MS = 5_000;
const known = new Map<string, { hasEndpoints: boolean; until: number }>();

/** Endpoints changed in this isolate: what it knew about the application no longer holds. */
export function forgetEndpoints(applicationId: string): void {
  known.delete(applicationId);
}

async function hasEndpoints(repo: WebhooksRepo, applicationId: string): Promise<boolean> {
  const now = Date.now();
  const cached = known.get(applicationId);
  if (cached && cached.until > now) return cached.hasEndpoints;
  const hasEndpoints = await repo.hasEnabledEndpoint(applicationId);
  known.set(applicationId, { hasEndpoints, until: now + KNOWN_FOR_MS });
  return hasEndpoints;
}

/**
 * After a request (or a background run) that may have recorded events: when the application has an
 * enabled endpoint and its outbox holds rows, the webhooks queue is asked to fan them out. Called
 * once the response is out, so the fan-out never runs before the commit and never slows the answer;
 * anything it misses (the isolate died, or this isolate had not yet seen a new endpoint) is picked up
 * by the sweep.
 */
export async function fanOutAfterWrite(stores: { webhooks: WebhooksRepo; queue: Queue<WebhookQueueMessage> }, applicationId: string): Promise<void> {
  if (!(await hasEndpoints(stores.webhooks, applicationId))) return;
  if (await stores.webhooks.hasOutbox(applicationId)) await stores.queue.send({ kind: "fanout", application_id: applicationId });
}

/** Outbox rows older than this were missed by their request's flush. */
const OUTBOX_GRACE_MS = 60_000;
/** Pending deliveries this far past their due time lost their queue message. */
const OVERDUE_MS = 10 * 60_000;
/** Finished deliveries are kept this long (the delivery list, replay). */
export const RETENTION_DAYS = 30;

/** Cron sweep: re-enqueues what a crash left behind and drops finished deliveries past retention. */
export async function sweepWebhooks(stores: { webhooks: WebhooksRepo; queue: Queue<WebhookQueueMessage> }, now = Date.now()) {
  const applications = await stores.webhooks.staleOutboxApplications(new Date(now - OUTBOX_GRACE_MS).toISOString(), 100);
  for (const applicationId of applications) await stores.queue.send({ kind: "fanout", application_id: applicationId });
  const overdue = await stores.webhooks.overdueDeliveries(new Date(now - OVERDUE_MS).toISOString(), 500);
  await enqueueDeliveries(stores, overdue);
  const pruned = await stores.webhooks.pruneDeliveries(new Date(now - RETENTION_DAYS * 86_400_000).toISOString(), 1000);
  return { outbox_applications: applications.length, overdue_deliveries: overdue.length, pruned_deliveries: pruned };
}
