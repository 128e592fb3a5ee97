import { database } from "./db/client";
import { ErasureRepo } from "./db/erasure-repo";
import { EventsRepo } from "./db/events-repo";
import type { Bindings } from "./env";
import { primaryBindings } from "./wiring/database";
import { eraseDueAccounts } from "./services/profile/erasure";

/** Cron Trigger handler (wrangler.toml [triggers]): erases the accounts whose deletion date has passed. */
export async function handleScheduled(controller: ScheduledController, env: Bindings): Promise<void> {
  const db = database(primaryBindings(env).DB);
  const result = await eraseDueAccounts(
    { erasure: new ErasureRepo(db), events: new EventsRepo(db), sessions: { registry: env.USER_SESSIONS, records: env.SESSIONS_KV } },
    new Date(controller.scheduledTime),
  );
  console.log(JSON.stringify({ cron: controller.cron, ...result }));
}
