import { database } from "./db/client";
import { ErasureRepo } from "./db/erasure-repo";
import { EventsRepo } from "./db/events-repo";
import type { Bindings } from "./env";
import { primaryBindings } from "./wiring/database";
import { eraseDueAccounts } from "./services/profile/erasure";
import { sweepWebhooks } from "./services/webhooks/dispatch";
import { webhookDeps } from "./wiring/webhooks";

/** wrangler.toml [triggers]: every minute the webhooks sweep; the other schedule (hourly) erases due accounts. */
export const WEBHOOK_SWEEP_CRON = "* * * * *";

/** Cron Trigger handler: the webhooks sweep, or the erasure of accounts whose deletion date has passed. */
export async function handleScheduled(controller: ScheduledController, env: Bindings): Promise<void> {
  if (controller.cron === WEBHOOK_SWEEP_CRON) {
    console.log(JSON.stringify({ cron: controller.cron, ...(await sweepWebhooks(webhookDeps(env))) }));
    return;
  }
  const db = database(primaryBindings(env).DB);
  const result = await eraseDueAccounts(
    { erasure: new ErasureRepo(db), events: new EventsRepo(db), sessions: { registry: env.USER_SESSIONS, records: env.SESSIONS_KV } },
    new Date(controller.scheduledTime),
  );
  console.log(JSON.stringify({ cron: controller.cron, ...result }));
}
