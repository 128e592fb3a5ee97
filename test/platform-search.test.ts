import { describe, expect, it } from "vitest";
import { database } from "../src/db/client";
import { CustomersRepo, phraseMatch } from "../src/db/customers-repo";
import { EventsRepo } from "../src/db/events-repo";
import { IdentitiesRepo } from "../src/db/identities-repo";
import { UsersRepo } from "../src/db/users-repo";
import { queryPlans, recordingD1 } from "./support/query-plans";
import { expectError } from "./support/http";
import { newAdmin, send, type Admin, type UserBody } from "./support/customers";

interface Page {
  items: UserBody[];
  page: { type: string; current: number; size: number; item_total: number; has_next: boolean; total: number };
}

async function list(admin: Admin, query = ""): Promise<Page> {
  const res = await admin.api(`/customers/list${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as Page;
}

async function search(admin: Admin, query: string): Promise<string[]> {
  const res = await admin.api(`/customers/search?${query}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { users: UserBody[] }).users.map((u) => u.first_name);
}

async function seedPeople(admin: Admin) {
  const jane = await admin.createUser({ email: "jane.doe@example.com", phone_number: "+919876543210", first_name: "Jane", last_name: "Doe", external_id: "CRM-7781" });
  const raj = await admin.createUser({ email: "raj@shop.in", phone_number: "+919123456789", first_name: "Raj", last_name: "Kumar" });
  const ann = await admin.createUser({ email: "ann@example.org", first_name: "Ann", last_name: "Lee" });
  return { jane, raj, ann };
}

describe("platform getCustomers", () => {
  it("pages newest first with the §1.4 pagination object", async () => {
    const admin = await newAdmin();
    await seedPeople(admin);
    const first = await list(admin, "?page_size=2");
    expect(first.items.map((u) => u.first_name)).toEqual(["Ann", "Raj"]);
    expect(first.page).toEqual({ type: "number", current: 1, size: 2, item_total: 3, has_next: true, total: 3 });
    const second = await list(admin, "?page_size=2&page_no=2");
    expect(second.items.map((u) => u.first_name)).toEqual(["Jane"]);
    expect(second.page).toMatchObject({ current: 2, has_next: false, item_total: 3 });
    expect((await list(admin, "?page_no=9")).items).toEqual([]);
    const defaults = await list(admin);
    expect(defaults.page).toMatchObject({ current: 1, size: 10 });
    expect(defaults.items[0]).toMatchObject({ archive: false, status: "active" });
    expect(defaults.items[0]).not.toHaveProperty("deleted_on");
  });

  it("filters by part of an email or mobile", async () => {
    const admin = await newAdmin();
    await seedPeople(admin);
    const names = async (q: string) => (await list(admin, `?q=${encodeURIComponent(q)}`)).items.map((u) => u.first_name);
    expect(await names("example")).toEqual(["Ann", "Jane"]);
    expect(await names("98765 43")).toEqual(["Jane"]);
    expect(await names("raj@shop.in")).toEqual(["Raj"]);
    // Names are not emails or mobiles.
    expect(await names("Kumar")).toEqual([]);
    const filtered = await list(admin, "?q=example&page_size=1");
    expect(filtered.page).toMatchObject({ item_total: 2, has_next: true });
  });

  it("refuses bad paging and too short a q with 400", async () => {
    const admin = await newAdmin();
    for (const query of ["page_size=0", "page_size=101", "page_size=abc", "page_no=0", "page_no=-1", "page_no=1.5", "q=ab", "q=%2B9"]) {
      await expectError(await admin.api(`/customers/list?${query}`), 400, "VALIDATION_FAILED");
    }
    expect((await list(admin, "?page_size=100")).page.size).toBe(100);
  });
});

describe("platform searchUsers", () => {
  it("finds users by part of a name, email, phone or id", async () => {
    const admin = await newAdmin();
    const { jane } = await seedPeople(admin);
    expect(await search(admin, "q=doe%40exa")).toEqual(["Jane"]);
    expect(await search(admin, "q=43210")).toEqual(["Jane"]);
    expect(await search(admin, "q=%2B91%2091234")).toEqual(["Raj"]);
    expect(await search(admin, "q=ane%20do")).toEqual(["Jane"]);
    expect(await search(admin, "q=KUMAR")).toEqual(["Raj"]);
    expect(await search(admin, "q=crm-77")).toEqual(["Jane"]);
    expect(await search(admin, `q=${jane._id.slice(4, 16)}`)).toEqual(["Jane"]);
    expect(await search(admin, "q=example")).toEqual(["Ann", "Jane"]);
    expect(await search(admin, "q=nobody")).toEqual([]);
  });

  it("finds exact emails and phones given as repeated `query` keys", async () => {
    const admin = await newAdmin();
    await seedPeople(admin);
    expect(await search(admin, "query=JANE.DOE%40example.com")).toEqual(["Jane"]);
    expect((await search(admin, "query=ann%40example.org&query=%2B919123456789")).sort()).toEqual(["Ann", "Raj"]);
    expect(await search(admin, "query=9123456789")).toEqual(["Raj"]);
    // Exact means exact: a part of an email is not one.
    expect(await search(admin, "query=doe%40example.com")).toEqual([]);
  });

  it("follows profile and contact changes, and refuses bad queries", async () => {
    const admin = await newAdmin();
    const { ann } = await seedPeople(admin);
    const res = await admin.api(`/customers/${ann._id}`, send("PUT", { last_name: "Zimmer", emails: [{ email: "ann@zimmer.net", primary: true, verified: true }] }));
    expect(res.status).toBe(200);
    expect(await search(admin, "q=zimmer")).toEqual(["Ann"]);
    expect(await search(admin, "q=example.org")).toEqual([]);
    // No q at all (or q empty) is not an error: the SDK allows it, and nothing is searched for (storefront-dropin.test.ts).
    for (const query of ["q=ab", "query=not%40valid", "query=12", `q=${"x".repeat(101)}`]) {
      await expectError(await admin.api(`/customers/search?${query}`), 400, "VALIDATION_FAILED");
    }
  });
});

describe("customer queries at scale", () => {
  const app = "000000000000000000000009";
  // Tens of ids, as a search page or a bulk block has: few ids hide a bad plan (SQLite then prefers the key anyway).
  const someIds = Array.from({ length: 50 }, (_, i) => i.toString(16).padStart(24, "0"));

  /** The plans of every statement `run` sends to D1. */
  async function plansOf(
    run: (repos: { customers: CustomersRepo; users: UsersRepo; events: EventsRepo; identities: IdentitiesRepo }) => Promise<unknown>,
  ) {
    const { d1, statements } = recordingD1();
    const db = database(d1);
    await run({ customers: new CustomersRepo(db), users: new UsersRepo(db), events: new EventsRepo(db), identities: new IdentitiesRepo(db) });
    expect(statements.length).toBeGreaterThan(0);
    return (await queryPlans(statements)).join(" || ");
  }

  it("use indexes and the FTS index, never a scan of users, contacts or events", async () => {
    const plans = {
      page: await plansOf(({ customers }) => customers.page(app, { limit: 20, offset: 40 })),
      partial: await plansOf(({ customers }) => customers.match(app, phraseMatch("987", ["emails", "phones"]), { limit: 20, offset: 0 })),
      partialIds: await plansOf(({ customers }) => customers.matchIds(app, phraseMatch("jane"), 50)),
      exact: await plansOf(({ customers }) => customers.contactOwnerIds(app, ["a@example.com", "b@example.com"], ["+919876543210"], 50)),
      records: await plansOf(({ customers }) => customers.records(app, someIds)),
      bulk: await plansOf(async ({ customers, users }) => {
        await customers.usersOf(app, someIds);
        await users.commit([customers.setBlockedStatement(app, someIds, true, new Date().toISOString())]);
      }),
      findById: await plansOf(({ users }) => users.findById(app, someIds[0]!)),
      archive: await plansOf(({ customers, users, identities }) =>
        users.commit([...customers.archiveStatements(app, someIds[0]!, new Date().toISOString()), identities.releaseStatement(app, someIds[0]!)]),
      ),
      timeline: await plansOf(({ events }) => events.timeline(app, someIds[0]!, 200)),
    };
    expect(plans.page).toMatch(/SEARCH users USING INDEX users_app_created_idx \(application_id=\?\)/);
    // The count: the per-day counts the users triggers keep, never a walk over the application's users.
    expect(plans.page).toMatch(/SEARCH customer_day_counts USING (PRIMARY KEY|INDEX sqlite_autoindex_customer_day_counts_1) \(application_id=\?\)/);
    expect(plans.page).not.toMatch(/TEMP B-TREE/);
    for (const p of [plans.partial, plans.partialIds]) {
      expect(p).toMatch(/SCAN s VIRTUAL TABLE INDEX \d+:M/); // the FTS5 MATCH drives the query
      expect(p).toMatch(/SEARCH d USING INTEGER PRIMARY KEY/);
      expect(p).not.toMatch(/TEMP B-TREE FOR ORDER BY/);
      expect(p).not.toMatch(/SEARCH d USING COVERING INDEX customer_search_docs_app_doc_idx \(application_id=\?\)( \|\||$)/);
    }
    // The count probes the FTS matches' rowids in the narrow index, not each match's document row.
    expect(plans.partial).toMatch(/SEARCH d USING COVERING INDEX customer_search_docs_app_doc_idx \(application_id=\? AND doc_id=\?/);
    expect(plans.exact).toMatch(/SEARCH user_emails USING INDEX user_emails_app_email_idx \(application_id=\? AND email=\?\)/);
    expect(plans.exact).toMatch(/SEARCH user_phones USING INDEX user_phones_app_e164_idx \(application_id=\? AND e164=\?\)/);
    expect(plans.bulk).toMatch(/^SEARCH users USING INDEX sqlite_autoindex_users_1 \(id=\?\) \|\| SEARCH users USING INDEX sqlite_autoindex_users_1 \(id=\?\)$/);
    for (const p of [plans.records, plans.findById]) {
      expect(p).toMatch(/SEARCH users USING INDEX sqlite_autoindex_users_1 \(id=\?\)/);
      expect(p).toMatch(/SEARCH user_emails USING INDEX user_emails_user_email_uq \(user_id=\?\)/);
      expect(p).toMatch(/SEARCH user_phones USING INDEX user_phones_user_phone_uq \(user_id=\?\)/);
    }
    expect(plans.timeline).toMatch(/SEARCH events USING INDEX events_user_idx \(user_id=\?\)/);
    expect(plans.archive).toMatch(/SEARCH user_identities USING INDEX user_identities_user_idx \(user_id=\?\)/);
    expect(plans.timeline).not.toMatch(/TEMP B-TREE/);
    // A lookup of a few users never walks the whole application's contacts or events.
    for (const p of [plans.records, plans.findById, plans.timeline, plans.bulk, plans.archive]) {
      expect(p).not.toMatch(/user_emails_app_email_idx|user_phones_app_e164_idx|events_app_idx|users_app_\w+_idx/);
    }
    for (const p of Object.values(plans)) expect(p).not.toMatch(/\bSCAN (users|user_emails|user_phones|user_identities|events|customer_search_docs|d)\b/);
  });
});
