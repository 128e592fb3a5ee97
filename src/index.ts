import { app } from "./app";
import type { Bindings } from "./env";

export { UserSessions } from "./durable/user-sessions";
export { OtpGuard } from "./durable/otp-guard";

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Bindings>;
