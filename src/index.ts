import { app } from "./app";
import type { Bindings } from "./env";

export { UserSessions } from "./durable/user-sessions";
export { LoginGuard } from "./durable/login-guard";
export { OtpGuard } from "./durable/otp-guard";

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Bindings>;
