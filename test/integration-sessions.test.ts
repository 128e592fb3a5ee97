import { describe, expect, it } from "vitest";
import { get, SESSION, SESSIONS, updatePassword } from "./support/accounts";
import { send } from "./support/customers";
import { expectError } from "./support/http";
import { logInAgain, sessionStatus, storeWithShopper, type Store } from "./support/integration";

/** createUserSession: the `f.session` value the platform hands out, as a Cookie header. */
async function platformSession(store: Store): Promise<string> {
  const res = await store.admin.api("/customers/session", send("POST", { user_id: store.shopper.userId, domain: "shop.example.com" }));
  expect(res.status).toBe(200);
  return `f.session=${((await res.json()) as { cookie: Record<string, string> }).cookie["f.session"]}`;
}

const sessionIdOf = (cookie: string) => cookie.split("=")[1]!.split(".")[1]!;

describe("admin session revocation, seen from the storefront", () => {
  it("deleteActiveSessions: every cookie of the user is refused on its very next request", async () => {
    const store = await storeWithShopper();
    const cookies = [store.shopper.cookie, await logInAgain(store), await platformSession(store)];
    for (const cookie of cookies) expect(await sessionStatus(store, cookie)).toBe(200);
    const res = await store.admin.api(`/customers/sessions?id=${store.shopper.userId}&reason=lost%20phone`, { method: "DELETE" });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { session_ids: string[] }).session_ids.sort()).toEqual(cookies.map(sessionIdOf).sort());
    for (const cookie of cookies) {
      const body = await expectError(await get(store.admin.tenant, SESSION, cookie), 401, "SESSION_INVALID");
      expect(body.message).toMatch(/session has ended/);
    }
    // The user can log in again.
    expect(await sessionStatus(store, await logInAgain(store))).toBe(200);
  });

  it("deleteSession: only that cookie is refused; the others keep working", async () => {
    const store = await storeWithShopper();
    const other = await logInAgain(store);
    const ended = sessionIdOf(store.shopper.cookie);
    const query = `id=${store.shopper.userId}&session_id=${ended}&reason=suspicious`;
    expect((await store.admin.api(`/customers/session?${query}`, { method: "DELETE" })).status).toBe(200);
    expect(await sessionStatus(store, store.shopper.cookie)).toBe(401);
    expect(await sessionStatus(store, other)).toBe(200);
    const listed = (await (await get(store.admin.tenant, SESSIONS, other)).json()) as { sessions: string[] };
    expect(listed.sessions).toEqual([sessionIdOf(other)]);
    await expectError(await store.admin.api(`/customers/session?${query}`, { method: "DELETE" }), 404);
  });
});

describe("createUserSession, seen from the storefront", () => {
  it("hands out a cookie that getLoggedInUser accepts as the user", async () => {
    const store = await storeWithShopper();
    const cookie = await platformSession(store);
    const res = await get(store.admin.tenant, SESSION, cookie);
    expect(res.status).toBe(200);
    const { user } = (await res.json()) as { user: { _id: string; emails: { email: string }[] } };
    expect(user._id).toBe(store.shopper.userId);
    expect(user.emails[0]?.email).toBe(store.shopper.email);
    const listed = (await (await get(store.admin.tenant, SESSIONS, cookie)).json()) as { sessions: string[] };
    expect(listed.sessions).toContain(sessionIdOf(cookie));
  });
});

describe("updatePassword, across both APIs", () => {
  it("ends every other session, the ones the platform created included, and keeps the one that changed it", async () => {
    const store = await storeWithShopper();
    const { shopper } = store;
    const byPlatform = await platformSession(store);
    const elsewhere = await logInAgain(store);
    const res = await updatePassword(store.admin.tenant, shopper.cookie, shopper.password, "Copper-Harbor-Lamp-17");
    expect(res.status).toBe(200);
    expect(await sessionStatus(store, shopper.cookie)).toBe(200);
    expect(await sessionStatus(store, byPlatform)).toBe(401);
    expect(await sessionStatus(store, elsewhere)).toBe(401);
    const active = await store.admin.api(`/customers/sessions?id=${shopper.userId}`);
    expect(((await active.json()) as { items: { session_id: string }[] }).items.map((s) => s.session_id)).toEqual([sessionIdOf(shopper.cookie)]);
  });
});
