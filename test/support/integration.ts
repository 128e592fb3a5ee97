import { expect } from "vitest";
import { get, login, registeredUser, SESSION, sessionCookie, type Account } from "./accounts";
import { adminFor, send, type Admin } from "./customers";
import { createTenant } from "./tenants";

/** A store with its admin and one registered, logged-in shopper: both sides of the API at once. */
export interface Store {
  admin: Admin;
  shopper: Account;
}

export async function storeWithShopper(config?: Record<string, unknown>, shopper: Record<string, unknown> = {}): Promise<Store> {
  const tenant = await createTenant(config ? { config } : {});
  return { admin: await adminFor(tenant), shopper: await registeredUser(tenant, shopper) };
}

/** The status of getLoggedInUser with this cookie: 200 while the session lives, 401 once it ended. */
export async function sessionStatus(store: Store, cookie: string): Promise<number> {
  return (await get(store.admin.tenant, SESSION, cookie)).status;
}

/** A fresh password login of the shopper: its cookie. */
export async function logInAgain(store: Store): Promise<string> {
  const res = await login(store.admin.tenant, store.shopper.email, store.shopper.password);
  expect(res.status).toBe(200);
  return sessionCookie(res);
}

/** blockOrUnblockUsers for the shopper (`active: false` blocks). */
export async function setActive(store: Store, active: boolean, reason = "integration test") {
  const res = await store.admin.api("/customers/activation", send("PUT", { user_id: [store.shopper.userId], status: active, reason }));
  expect(res.status).toBe(200);
}

/** getUserTimeline of the shopper. */
export async function timeline(store: Store, userId = store.shopper.userId) {
  const res = await store.admin.api(`/customers/${userId}/timeline`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { timeline: { title: string; type: string; sub_title: string | null; visible: boolean; date: string }[] }).timeline;
}
