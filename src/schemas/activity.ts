import { z } from "@hono/zod-openapi";

export const MAX_ACTIVITY_DAYS = 90;

/** `days` as query text: a plain whole number of days, today included (default 30). */
export const ActivityQuery = z.object({
  days: z
    .string()
    .regex(/^\d{1,3}$/, "days must be a whole number")
    .transform(Number)
    .pipe(z.number().int().min(1, "days must be at least 1").max(MAX_ACTIVITY_DAYS, `days must be at most ${MAX_ACTIVITY_DAYS}`))
    .optional()
    .transform((v) => v ?? 30)
    .openapi({
      param: { name: "days", in: "query" },
      type: "integer",
      minimum: 1,
      maximum: MAX_ACTIVITY_DAYS,
      example: 30,
      description: `How many days, today (UTC) included; 1 to ${MAX_ACTIVITY_DAYS}, default 30`,
    }),
});

const ActivityDay = z.object({
  date: z.string().openapi({ description: "The day (UTC), YYYY-MM-DD", example: "2026-12-03" }),
  signups: z.number().int().openapi({ description: "Accounts registered that day (user.registered: form, OTP, social and token sign-ups)" }),
  logins: z.number().int().openapi({ description: "Logins that day (user.logged_in: every method)" }),
});

export const DailyActivity = z
  .object({
    from: z.string().openapi({ description: "The first day (UTC)" }),
    to: z.string().openapi({ description: "The last day (UTC): today" }),
    days: z.array(ActivityDay).openapi({ description: "One entry per day, oldest first; days without events count 0" }),
  })
  .openapi("DailyActivity");
export type DailyActivity = z.infer<typeof DailyActivity>;
