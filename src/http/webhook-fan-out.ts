import { createMiddleware } from "hono/factory";
import { fanOutAfterWrite } from "../services/webhooks/dispatch";
import { webhookDeps } from "../wiring/webhooks";
import type { AppEnv } from "./context";

/** Reads record no webhook event (getLoggedInUser, lists); only writes may have filled the outbox. */
const READS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * After a write to an application, once the response is done (so after the commit): its outbox, if
 * any, is handed to the webhooks queue. Best-effort by design: the sweep covers a missed one.
 */
export const webhookFanOut = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  const application = c.get("application");
  if (READS.has(c.req.method) || !application) return;
  c.executionCtx.waitUntil(
    fanOutAfterWrite(webhookDeps(c), application.id).catch((error) =>
      console.error(JSON.stringify({ request_id: c.var.requestId, webhook_fan_out_failed: String(error) })),
    ),
  );
});
