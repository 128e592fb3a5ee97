import { app } from "./app";
import type { Bindings, JobMessage, WebhookQueueMessage } from "./env";
import { handleQueue } from "./queue";
import { handleScheduled } from "./scheduled";

export { UserSessions } from "./durable/user-sessions";
export { LoginGuard } from "./durable/login-guard";
export { OtpGuard } from "./durable/otp-guard";
export { FactorGuard } from "./durable/factor-guard";

export default {
  fetch: app.fetch,
  queue: (batch, env) => handleQueue(batch, env),
  scheduled: (controller, env) => handleScheduled(controller, env),
} satisfies ExportedHandler<Bindings, JobMessage | WebhookQueueMessage>;
