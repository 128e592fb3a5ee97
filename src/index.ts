import { app } from "./app";
import type { Bindings, JobMessage } from "./env";
import { handleJobMessages } from "./queue";

export { UserSessions } from "./durable/user-sessions";
export { LoginGuard } from "./durable/login-guard";
export { OtpGuard } from "./durable/otp-guard";

export default {
  fetch: app.fetch,
  queue: (batch, env) => handleJobMessages(batch, env),
} satisfies ExportedHandler<Bindings, JobMessage>;
