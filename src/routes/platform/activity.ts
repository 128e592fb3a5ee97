import { createRouter, ok, platformRoute, PlatformParams } from "../../http/openapi";
import { ActivityQuery, DailyActivity } from "../../schemas/activity";
import { dailyActivity } from "../../services/activity/daily";
import { customerDataDeps } from "../../wiring/customer-data";

export const activityRoutes = createRouter().openapi(
  platformRoute({
    method: "get",
    path: "/stats/activity",
    operationId: "getDailyActivity",
    tags: ["Platform: activity"],
    summary: "Extension: sign-ups and logins per day (UTC) over the last `days` days, today included",
    request: { params: PlatformParams, query: ActivityQuery },
    responses: ok(DailyActivity),
  }),
  async (c) => c.json(await dailyActivity(customerDataDeps(c.env).events, c.var.application.id, c.req.valid("query").days), 200),
);
