import { createRoute, z } from "@hono/zod-openapi";
import { loadConfig } from "../env";
import { onNotFound } from "../http/error-handler";
import { badRequest } from "../errors";
import { createRouter, ok } from "../http/openapi";
import { readOutbox } from "../notify/outbox";
import { normalizeEmail, normalizePhone } from "../schemas/contacts";

const OUTBOX_PATH = "/_dev/outbox";

const OutboxMessage = z.object({
  channel: z.enum(["email", "sms"]),
  to: z.string(),
  purpose: z.string(),
  code: z.string().optional(),
  link: z.string().optional(),
  subject: z.string().optional(),
  text: z.string(),
  application_id: z.string(),
  created_at: z.string(),
});

/** `+` in a query string decodes to a space; a bare run of digits is taken as E.164 without its plus. */
function outboxAddress(to: string): string | undefined {
  const value = to.trim();
  if (value.includes("@")) return normalizeEmail(value);
  return normalizePhone(/^\d+$/.test(value) ? `+${value}` : value)?.e164;
}

/**
 * GET /_dev/outbox?to=<email or phone>: what the outbox transport "sent" there, newest first. Exists
 * only when DEV_OUTBOX is "true"; otherwise it answers exactly like an unknown route, before any
 * validation, so nothing tells that it is there.
 */
export const devOutboxRoutes = createRouter();

devOutboxRoutes.use(OUTBOX_PATH, async (c, next) => {
  if (!loadConfig(c.env).devOutbox) return onNotFound(c);
  await next();
});

devOutboxRoutes.openapi(
  createRoute({
    method: "get",
    path: OUTBOX_PATH,
    hide: true,
    request: { query: z.object({ to: z.string().min(1).max(254) }) },
    responses: ok(z.object({ messages: z.array(OutboxMessage) })),
  }),
  async (c) => {
    const address = outboxAddress(c.req.valid("query").to);
    if (!address) throw badRequest("`to` must be an email address or a phone number in E.164 (+<country><number>)");
    return c.json({ messages: await readOutbox(c.env.OTP_KV, address) }, 200);
  },
);
