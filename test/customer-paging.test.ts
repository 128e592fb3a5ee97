import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { database } from "../src/db/client";
import { CustomersRepo } from "../src/db/customers-repo";
import { UsersRepo } from "../src/db/users-repo";
import { usersAfter } from "../src/db/user-filter-sql";
import { newAdmin, type Admin, type UserBody } from "./support/customers";
import { queryPlans, recordingD1 } from "./support/query-plans";

/*
 * Deep pages of getCustomers are located through the per-day / per-minute counts the users triggers
 * keep (migration customer_counts) instead of an OFFSET walk; these tests hold every page of that
 * path to the plain ORDER BY … OFFSET answer, over HTTP, on data with the awkward cases: several
 * days, users sharing a minute, a second and a millisecond, deleted users.
 */

const PEOPLE = 1500;

/** PEOPLE users straight into D1 (the triggers run as for any writer): 3 days, bursts in one minute and one millisecond. */
async function seedCrowd(applicationId: string) {
  await env.DB.prepare(
    `with recursive n(i) as (select 1 union all select i + 1 from n where i < ${PEOPLE})
     insert into users (id, application_id, username, first_name, last_name, meta, created_at, updated_at)
     select printf('p%011x%012x', abs(random()) % 1000000, i), ?1, 'crowd_' || i, 'Crowd', 'P' || i, '{}',
            case
              when i % 5 = 0 then '2025-03-02T10:15:00.000Z'
              when i % 7 = 0 then strftime('%Y-%m-%dT%H:%M:', '2025-03-02T10:16:00', '+0 seconds') || printf('%02d.%03dZ', i % 60, i % 1000)
              else strftime('%Y-%m-%dT%H:%M:%fZ', '2025-03-01T00:00:00', '+' || (i * 151) || ' seconds')
            end,
            '2025-03-01T00:00:00.000Z'
     from n`,
  )
    .bind(applicationId)
    .run();
}

/** The ids of the whole list, newest first, as the plain query orders them. */
async function expectedOrder(applicationId: string): Promise<string[]> {
  const { results } = await env.DB.prepare("select id from users where application_id = ? order by created_at desc, rowid desc").bind(applicationId).all<{ id: string }>();
  return results.map((r) => r.id);
}

async function listPage(admin: Admin, pageNo: number, pageSize: number) {
  const res = await admin.api(`/customers/list?page_no=${pageNo}&page_size=${pageSize}`);
  expect(res.status).toBe(200);
  return (await res.json()) as { items: UserBody[]; page: { item_total: number; has_next: boolean } };
}

describe("getCustomers deep pages", () => {
  it("answer exactly the plain OFFSET page, with the total, for every page of a crowd", async () => {
    const admin = await newAdmin();
    await seedCrowd(admin.tenant.applicationId);
    // Another application's users neither count nor show.
    const other = await newAdmin();
    await seedCrowd(other.tenant.applicationId);
    const order = await expectedOrder(admin.tenant.applicationId);
    expect(order).toHaveLength(PEOPLE);
    const pageSize = 70;
    for (let pageNo = 1; (pageNo - 1) * pageSize <= PEOPLE; pageNo++) {
      const { items, page } = await listPage(admin, pageNo, pageSize);
      expect(items.map((u) => u._id), `page ${pageNo}`).toEqual(order.slice((pageNo - 1) * pageSize, pageNo * pageSize));
      expect(page.item_total).toBe(PEOPLE);
      expect(page.has_next).toBe(pageNo * pageSize < PEOPLE);
    }
    expect((await listPage(admin, 100, 100)).items).toEqual([]);
  });

  it("follow deletions and new users (the counts are kept by the users triggers)", async () => {
    const admin = await newAdmin();
    const app = admin.tenant.applicationId;
    await seedCrowd(app);
    await env.DB.prepare("delete from users where application_id = ? and rowid % 5 = 0").bind(app).run();
    const created = await admin.createUser({ email: "late.comer@example.com", first_name: "Late", last_name: "Comer" });
    const order = await expectedOrder(app);
    expect(order[0]).toBe(created._id);
    for (const pageNo of [1, 20, 21, 22, Math.ceil(order.length / 50)]) {
      const { items, page } = await listPage(admin, pageNo, 50);
      expect(items.map((u) => u._id), `page ${pageNo}`).toEqual(order.slice((pageNo - 1) * 50, pageNo * 50));
      expect(page.item_total).toBe(order.length);
    }
  });

  it("seek through the count tables and the users index, never OFFSET over users", async () => {
    const app = "000000000000000000000009";
    const { d1, statements } = recordingD1();
    await new CustomersRepo(database(d1)).page(app, { limit: 20, offset: 50_000 });
    const plans = (await queryPlans(statements)).join(" || ");
    expect(plans).toMatch(/SEARCH customer_day_counts USING (PRIMARY KEY|INDEX sqlite_autoindex_customer_day_counts_1) \(application_id=\?\)/);
    expect(plans).toMatch(/SEARCH customer_minute_counts USING (PRIMARY KEY|INDEX sqlite_autoindex_customer_minute_counts_1) \(application_id=\? AND minute>\? AND minute<\?\)/);
    expect(plans).toMatch(/SEARCH users USING (COVERING )?INDEX users_app_created_idx \(application_id=\? AND created_at<\?\)/);
    expect(plans).toMatch(/SEARCH users USING INDEX sqlite_autoindex_users_1 \(id=\?\)/);
    expect(plans).not.toMatch(/\bSCAN (users|customer_day_counts|customer_minute_counts)\b/);
  });
});

describe("contacts of many users", () => {
  it("are read for more users than D1 binds parameters (an export chunk has 500)", async () => {
    const admin = await newAdmin();
    const app = admin.tenant.applicationId;
    await seedCrowd(app);
    await env.DB.prepare(
      "insert into user_emails (id, user_id, application_id, email, is_primary, verified, active, created_at) select 'e' || substr(id, 2), id, application_id, username || '@crowd.test', 1, 1, 1, created_at from users where application_id = ?",
    )
      .bind(app)
      .run();
    const db = database(env.DB);
    const records = await new UsersRepo(db).withContacts(await usersAfter(db, app, undefined, 500));
    expect(records).toHaveLength(500);
    for (const record of records) expect(record.emails.map((e) => e.email)).toEqual([`${record.user.username}@crowd.test`]);
  });
});
