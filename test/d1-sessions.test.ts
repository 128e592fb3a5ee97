import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { validBookmark } from "../src/db/session-database";
import { call, json } from "./support/http";
import { newAdmin } from "./support/customers";
import { loginByOtp } from "./support/sessions";
import { createTenant, type Tenant } from "./support/tenants";

/*
 * D1 Sessions API (read replicas): local workerd runs one database, which ignores the bookmark a
 * session sends but answers a real bookmark (its storage's) after every query, so these tests check
 * what is ours: which bookmark each request's session starts from, what goes back to the client and
 * into the user's session object, and that no bookmark a client sends can break a request.
 */

const HEADER = "x-d1-bookmark";
// Well formed and later than any bookmark the local database gives (they start with low counters).
const FUTURE = `ffffffff-ffffffff-ffffffff-${"f".repeat(32)}`;

async function storedBookmark(tenant: Tenant, userId: string): Promise<string | null> {
  const stub = env.USER_SESSIONS.get(env.USER_SESSIONS.idFromName(`${tenant.applicationId}:${userId}`));
  return runInDurableObject(stub, (_, state) => state.storage.sql.exec<{ value: string }>("select value from write_bookmark").toArray()[0]?.value ?? null);
}

const me = (tenant: Tenant, cookie: string) => call("/service/application/user/authentication/v1.0/session", { headers: { authorization: tenant.appAuth, cookie } });

describe("platform bookmarks (x-d1-bookmark)", () => {
  it("answer a bookmark that a later read can start from, and a write moves it forward", async () => {
    const admin = await newAdmin();
    const first = await admin.api("/customers/list");
    const b1 = first.headers.get(HEADER);
    expect(validBookmark(b1)).toBe(b1);
    const created = await admin.api("/customers", json({ email: "sessions@example.com", first_name: "Ses" }, { method: "POST" }));
    expect(created.status).toBe(200);
    const b2 = created.headers.get(HEADER)!;
    expect(validBookmark(b2)).toBe(b2);
    expect(b2 > b1!).toBe(true);
    // Sent back, the next read starts there: its bookmark is never older.
    const next = await admin.api("/customers/list", { headers: { [HEADER]: b2 } });
    expect(next.status).toBe(200);
    expect(next.headers.get(HEADER)! >= b2).toBe(true);
    expect(((await next.json()) as { items: unknown[] }).items).toHaveLength(1);
  });

  it("start from a well-formed bookmark the client sends (the session keeps it as its floor)", async () => {
    const admin = await newAdmin();
    const res = await admin.api("/customers/list", { headers: { [HEADER]: FUTURE } });
    expect(res.status).toBe(200);
    expect(res.headers.get(HEADER)).toBe(FUTURE);
  });

  it("ignore garbage, empty, oversized and stale bookmarks: the answer is the normal one", async () => {
    const admin = await newAdmin();
    const stale = `00000000-00000000-00000000-${"0".repeat(32)}`;
    for (const value of ["garbage", "", " ", "first-primary", "ffffffff-ffffffff", `${FUTURE}x`, "x".repeat(4000), "zzzzzzzz-zzzzzzzz-zzzzzzzz-" + "z".repeat(32), stale]) {
      const res = await admin.api("/customers/list", { headers: { [HEADER]: value } });
      expect(res.status, value.slice(0, 40)).toBe(200);
      const answered = res.headers.get(HEADER)!;
      expect(validBookmark(answered)).toBe(answered);
      expect(answered).not.toBe(value);
    }
    expect(validBookmark("first-unconstrained")).toBeUndefined();
  });
});

describe("storefront read-your-writes", () => {
  it("a signed-in write leaves its bookmark in the user's session object", async () => {
    const tenant = await createTenant();
    const user = await loginByOtp(tenant);
    const afterLogin = await storedBookmark(tenant, user.userId);
    expect(validBookmark(afterLogin)).toBe(afterLogin); // the login wrote (user, event)
    const edit = await call("/service/application/user/profile/v1.0/detail", json({ first_name: "Renamed" }, { method: "POST", headers: { authorization: tenant.appAuth, cookie: user.cookie } }));
    expect(edit.status).toBe(200);
    const afterEdit = (await storedBookmark(tenant, user.userId))!;
    expect(afterEdit > afterLogin!).toBe(true);
    // A read changes nothing in the object.
    const read = await me(tenant, user.cookie);
    expect(read.status).toBe(200);
    expect(((await read.json()) as { user: { first_name: string } }).user.first_name).toBe("Renamed");
    expect(await storedBookmark(tenant, user.userId)).toBe(afterEdit);
  });

  it("the next signed-in read starts at the user's bookmark, never below it", async () => {
    const tenant = await createTenant();
    const user = await loginByOtp(tenant);
    const stub = env.USER_SESSIONS.get(env.USER_SESSIONS.idFromName(`${tenant.applicationId}:${user.userId}`));
    await stub.noteBookmark(FUTURE);
    // The object keeps the later bookmark only.
    await stub.noteBookmark(`00000001-00000000-00000000-${"0".repeat(32)}`);
    expect(await storedBookmark(tenant, user.userId)).toBe(FUTURE);
    // The session check hands it over and the user read is made again from it (locally the one
    // database has the row either way); a write in that request keeps the later bookmark.
    const res = await me(tenant, user.cookie);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { user: { _id: string } }).user._id).toBe(user.userId);
  });

  it("a garbage bookmark header on storefront calls changes nothing", async () => {
    const tenant = await createTenant();
    const user = await loginByOtp(tenant);
    const res = await call("/service/application/user/authentication/v1.0/session", { headers: { authorization: tenant.appAuth, cookie: user.cookie, [HEADER]: "garbage" } });
    expect(res.status).toBe(200);
    expect(res.headers.get(HEADER)).toBeNull(); // storefront clients get no bookmark: their user's object keeps it
  });
});
