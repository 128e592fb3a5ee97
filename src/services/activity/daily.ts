import type { EventsRepo } from "../../db/events-repo";
import type { DailyActivity } from "../../schemas/activity";

const DAY_MS = 86_400_000;

/** The audit events each series counts. Admin-created and imported accounts are not sign-ups. */
export const ACTIVITY_EVENTS = { signups: "user.registered", logins: "user.logged_in" } as const;

/** Sign-ups and logins per UTC day over the last `days` days (today included), every day present. */
export async function dailyActivity(events: EventsRepo, applicationId: string, days: number, now = new Date()): Promise<DailyActivity> {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const first = today - (days - 1) * DAY_MS;
  const rows = await events.dailyCounts(applicationId, Object.values(ACTIVITY_EVENTS), new Date(first).toISOString());
  const counts = new Map(rows.map((r) => [`${r.day} ${r.type}`, r.count]));
  const list = Array.from({ length: days }, (_, i) => {
    const date = new Date(first + i * DAY_MS).toISOString().slice(0, 10);
    return {
      date,
      signups: counts.get(`${date} ${ACTIVITY_EVENTS.signups}`) ?? 0,
      logins: counts.get(`${date} ${ACTIVITY_EVENTS.logins}`) ?? 0,
    };
  });
  return { from: list[0]!.date, to: list[list.length - 1]!.date, days: list };
}
