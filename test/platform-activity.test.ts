import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { newId } from "../src/crypto/tokens";
import { database } from "../src/db/client";
import { EventsRepo } from "../src/db/events-repo";
import { GOOD_PASSWORD, LOGIN, register, SIGN_UP_LOGS_IN, storefront, uniqueEmail } from "./support/accounts";
import { call, expectError, json } from "./support/http";
import { adminFor, newAdmin, type Admin } from "./support/customers";
import { queryPlans, recordingD1 } from "./support/query-plans";
import { adminHeaders, createTenant } from "./support/tenants";

interface Activity {
  from: string;
  to: string;
  days: { date: string; signups: number; logins: number }[];
}

const DAY_MS = 86_400_000;
const dayOf = (daysAgo: number) => new Date(Date.now() - daysAgo * DAY_MS).toISOString().slice(0, 10);

async function activity(admin: Admin, query = ""): Promise<Activity> {
  const res = await admin.api(`/stats/activity${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as Activity;
}

/** Events as the services write them, dated in the past (time cannot be moved for the Worker). */
async function pastEvents(applicationId: string, rows: { type: string; daysAgo: number; count?: number }[]) {
  await env.DB.batch(
    rows.flatMap(({ type, daysAgo, count = 1 }) =>
      Array.from({ length: count }, (_, i) =>
        env.DB.prepare("insert into events (id, application_id, user_id, type, title, actor, visible, created_at) values (?, ?, ?, ?, 'x', 'user', 0, ?)")
          // Noon, minus a second per row: well inside the day in UTC.
          .bind(newId(), applicationId, newId(), type, new Date(Date.parse(`${dayOf(daysAgo)}T12:00:00Z`) - i * 1000).toISOString()),
      ),
    ),
  );
}

describe("platform daily activity (extension): sign-ups and logins per day", () => {
  it("counts today's real registration and logins, and the past days' events, one entry per day oldest first", async () => {
    // A store whose sign-up logs in at once: the registration is a sign-up and a login.
    const admin = await adminFor(await createTenant({ config: SIGN_UP_LOGS_IN }));
    const { tenant } = admin;
    const email = uniqueEmail();
    const registered = await register(tenant, { first_name: "A", last_name: "B", email, password: GOOD_PASSWORD });
    expect(registered.status).toBe(200);
    for (let i = 0; i < 2; i++) {
      const login = await call(LOGIN, json({ username: email, password: GOOD_PASSWORD }, { method: "POST", headers: storefront(tenant) }));
      expect(login.status).toBe(200);
    }
    await pastEvents(tenant.applicationId, [
      { type: "user.registered", daysAgo: 1, count: 3 },
      { type: "user.logged_in", daysAgo: 1, count: 5 },
      { type: "user.logged_in", daysAgo: 29 },
      // Outside the window, and events of other kinds: not counted.
      { type: "user.registered", daysAgo: 30, count: 4 },
      { type: "user.logged_out", daysAgo: 1, count: 2 },
      { type: "admin.user.created", daysAgo: 2 },
    ]);

    const result = await activity(admin);
    expect(result.days).toHaveLength(30);
    expect(result.from).toBe(dayOf(29));
    expect(result.to).toBe(dayOf(0));
    expect(result.days.map((d) => d.date)).toEqual(Array.from({ length: 30 }, (_, i) => dayOf(29 - i)));
    const byDay = new Map(result.days.map((d) => [d.date, d]));
    expect(byDay.get(dayOf(0))).toEqual({ date: dayOf(0), signups: 1, logins: 3 });
    expect(byDay.get(dayOf(1))).toEqual({ date: dayOf(1), signups: 3, logins: 5 });
    expect(byDay.get(dayOf(2))).toEqual({ date: dayOf(2), signups: 0, logins: 0 });
    expect(byDay.get(dayOf(29))).toEqual({ date: dayOf(29), signups: 0, logins: 1 });

    const week = await activity(admin, "?days=7");
    expect(week.days).toHaveLength(7);
    expect(week.from).toBe(dayOf(6));
    expect(week.days.reduce((n, d) => n + d.signups, 0)).toBe(4);
  });

  it("refuses a bad number of days, and answers nothing without a platform token", async () => {
    const admin = await newAdmin();
    for (const days of ["0", "91", "-3", "1.5", "abc", "", "1e1", "9999999999"]) {
      const error = await expectError(await admin.api(`/stats/activity?days=${encodeURIComponent(days)}`), 400, "VALIDATION_FAILED");
      expect(error.info).toMatchObject({ fields: [expect.objectContaining({ field: "days" })] });
    }
    expect((await activity(admin, "?days=90")).days).toHaveLength(90);
    expect((await activity(admin, "?days=1")).days).toEqual([{ date: dayOf(0), signups: 0, logins: 0 }]);
    await expectError(await call(`${admin.tenant.plat}/stats/activity`), 401);
  });

  it("counts only the application's own events, and another company's token cannot read them", async () => {
    const mine = await newAdmin();
    const sameCompany = await adminFor(await createTenant({ companyId: mine.tenant.companyId }));
    const stranger = await newAdmin();
    await pastEvents(mine.tenant.applicationId, [{ type: "user.registered", daysAgo: 3, count: 2 }]);
    await pastEvents(sameCompany.tenant.applicationId, [{ type: "user.registered", daysAgo: 3, count: 7 }]);
    await pastEvents(stranger.tenant.applicationId, [{ type: "user.logged_in", daysAgo: 3, count: 9 }]);

    const day = (a: Activity) => a.days.find((d) => d.date === dayOf(3));
    expect(day(await activity(mine))).toEqual({ date: dayOf(3), signups: 2, logins: 0 });
    expect(day(await activity(sameCompany))).toEqual({ date: dayOf(3), signups: 7, logins: 0 });
    expect(day(await activity(stranger))).toEqual({ date: dayOf(3), signups: 0, logins: 9 });

    // The stranger's token on this application's path: refused, nothing of it answered.
    const crossed = await call(`${mine.tenant.plat}/stats/activity`, { headers: await adminHeaders(stranger.tenant) });
    expect([403, 404]).toContain(crossed.status);
    expect(await crossed.text()).not.toContain("signups");
  });

  it("reads one index range per application (covering index, no scan of events)", async () => {
    const { d1, statements } = recordingD1();
    await new EventsRepo(database(d1)).dailyCounts("000000000000000000000009", ["user.registered", "user.logged_in"], "2026-01-01T00:00:00.000Z");
    const plans = await queryPlans(statements);
    expect(plans).toHaveLength(1);
    expect(plans[0]).toMatch(/SEARCH events USING COVERING INDEX events_app_type_time_idx \(application_id=\? AND type=\? AND created_at>\?\)/);
    expect(plans[0]).not.toMatch(/SCAN events/);
  });
});
