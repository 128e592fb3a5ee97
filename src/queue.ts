import type { Bindings, JobMessage, WebhookQueueMessage } from "./env";
import { customerDataDeps } from "./wiring/customer-data";
import { webhookDeps } from "./wiring/webhooks";
import { primaryBindings } from "./wiring/database";
import { failJob, runJobChunk } from "./services/jobs/jobs";
import { attemptDelivery, fanOut } from "./services/webhooks/delivery";
import { fanOutAfterWrite } from "./services/webhooks/dispatch";

/** After this many failed attempts at one chunk, the job is marked failed instead of retried again. */
const MAX_ATTEMPTS = 5;
/** When the consumer itself fails (storage down), the message comes back after this long. */
const WEBHOOK_ERROR_DELAY_SECONDS = 30;

export const JOBS_QUEUE = "user-edge-jobs";
export const WEBHOOKS_QUEUE = "user-edge-webhooks";

/** The Worker's queue handler: each queue (wrangler.toml [[queues.consumers]]) has its consumer. */
export async function handleQueue(batch: MessageBatch<JobMessage | WebhookQueueMessage>, env: Bindings): Promise<void> {
  if (batch.queue === WEBHOOKS_QUEUE) return handleWebhookMessages(batch as MessageBatch<WebhookQueueMessage>, env);
  if (batch.queue === JOBS_QUEUE) return handleJobMessages(batch as MessageBatch<JobMessage>, env);
  console.error(JSON.stringify({ unknown_queue: batch.queue, messages: batch.messages.length }));
  batch.retryAll();
}

/** Queue consumer of import/export jobs: one chunk per message, retried with backoff on unexpected errors. */
export async function handleJobMessages(batch: MessageBatch<JobMessage>, env: Bindings): Promise<void> {
  for (const message of batch.messages) {
    const body = message.body;
    if (!body || typeof body.job_id !== "string" || typeof body.application_id !== "string" || !Number.isInteger(body.chunk)) {
      message.ack();
      continue;
    }
    // A chunk reads its job's progress: at the primary, in its application's database.
    const stores = customerDataDeps(primaryBindings(env, body.application_id));
    try {
      await runJobChunk(stores, body, message.attempts);
      message.ack();
    } catch (error) {
      console.error(JSON.stringify({ job_id: body.job_id, chunk: body.chunk, attempt: message.attempts, error: String(error), stack: (error as Error)?.stack }));
      if (message.attempts >= MAX_ATTEMPTS) {
        const job = await stores.jobs.find(body.application_id, body.job_id);
        if (job && job.status === "inprogress") await failJob(stores, job, "Processing failed repeatedly; the job was stopped");
        message.ack();
      } else {
        message.retry({ delaySeconds: Math.min(60, 2 ** message.attempts) });
      }
    }
    // A finished or failed job recorded its event: its webhooks go out now rather than at the next sweep.
    await fanOutAfterWrite(webhookDeps(env), body.application_id).catch(() => {});
  }
}

/**
 * Queue consumer of webhooks: fan-out messages turn an application's outbox into deliveries; delivery
 * messages make one attempt each and come back after the backoff delay until delivered or dead.
 */
async function handleWebhookMessages(batch: MessageBatch<WebhookQueueMessage>, env: Bindings): Promise<void> {
  const deps = webhookDeps(env);
  await Promise.all(
    batch.messages.map(async (message) => {
      const body = message.body;
      try {
        if (body?.kind === "fanout" && typeof body.application_id === "string") {
          await fanOut(deps, body.application_id);
        } else if (body?.kind === "deliver" && typeof body.application_id === "string" && typeof body.delivery_id === "string") {
          const outcome = await attemptDelivery(deps, body.application_id, body.delivery_id);
          if (!outcome.done) return message.retry({ delaySeconds: outcome.retryInSeconds });
        }
        message.ack();
      } catch (error) {
        console.error(JSON.stringify({ webhook_message: body, attempt: message.attempts, error: String(error), stack: (error as Error)?.stack }));
        message.retry({ delaySeconds: WEBHOOK_ERROR_DELAY_SECONDS * deps.retryScale });
      }
    }),
  );
}
