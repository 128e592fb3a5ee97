import type { Bindings, JobMessage } from "./env";
import { customerDataDeps } from "./wiring/customer-data";
import { primaryBindings } from "./wiring/database";
import { failJob, runJobChunk } from "./services/jobs/jobs";

/** After this many failed attempts at one chunk, the job is marked failed instead of retried again. */
const MAX_ATTEMPTS = 5;

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
  }
}
