import { createMiddleware } from "hono/factory";
import { newId } from "../crypto/tokens";
import type { AppEnv } from "./context";

/** Every response carries an id that also appears in error bodies and logs, to correlate reports. */
export const requestId = createMiddleware<AppEnv>(async (c, next) => {
  const id = c.req.header("cf-ray") ?? newId();
  c.set("requestId", id);
  c.header("x-request-id", id);
  await next();
});
