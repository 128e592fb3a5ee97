import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MAX_SESSIONS_PER_USER } from "../src/durable/user-sessions";
import { validateSession } from "../src/services/sessions/sessions";
import { expectError } from "./support/http";
import { countRows, eventsOf, newAdmin, send, type Admin } from "./support/customers";

const stores = () => ({ registry: env.USER_SESSIONS, records: env.SESSIONS_KV });

interface SessionCookie {
  domain: string;
  max_age: number;
  secure: boolean;
  http_only: boolean;
  cookie: Record<string, string>;
}

async function startSession(admin: Admin, userId: string, domain = "shop.example.com"): Promise<SessionCookie> {
  const res = await admin.api("/customers/session", send("POST", { user_id: userId, domain }));
  expect(res.status).toBe(200);
  return (await res.json()) as SessionCookie;
}

async function activeSessions(admin: Admin, userId: string) {
  const res = await admin.api(`/customers/sessions?id=${userId}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: { session_id: string; domain: string; expire_in: string; last_seen: string; user_agent: string; ip: string; location: string }[] }).items;
}

const isValid = async (admin: Admin, cookie: SessionCookie) =>
  (await validateSession(stores(), admin.tenant.applicationId, cookie.cookie["f.session"]!)) !== undefined;

describe("platform createUserSession and getActiveSessions", () => {
  it("starts a storefront session the cookie validates, and lists it", async () => {
    const admin = await newAdmin();
    const user = await admin.createUser({ email: "shopper@example.com" });
    const session = await startSession(admin, user._id);
    expect(session).toMatchObject({ domain: "shop.example.com", secure: true, http_only: true, max_age: 30 * 86_400 });
    expect(session.cookie["f.session"]).toMatch(new RegExp(`^${user._id}\\.[0-9a-f]{24}\\.`));
    expect(await isValid(admin, session)).toBe(true);
    const items = await activeSessions(admin, user._id);
    expect(items).toEqual([
      { session_id: expect.stringMatching(/^[0-9a-f]{24}$/), user_agent: expect.any(String), ip: expect.any(String), domain: "shop.example.com", expire_in: expect.any(String), last_seen: expect.any(String), location: "" },
    ]);
    expect(Date.parse(items[0]!.expire_in) - Date.now()).toBeGreaterThan(29 * 86_400_000);
    expect(Math.abs(Date.parse(items[0]!.last_seen) - Date.now())).toBeLessThan(60_000);
    const created = (await eventsOf(admin.tenant.applicationId)).find((e) => e.type === "admin.session.created");
    expect(created).toMatchObject({ actor: `platform:${admin.tenant.clientId}`, user_id: user._id });
  });

  it("refuses bad input, unknown users and unusable accounts", async () => {
    const admin = await newAdmin();
    const user = await admin.createUser({ email: "gone@example.com" });
    await expectError(await admin.api("/customers/session", send("POST", { user_id: user._id })), 400, "VALIDATION_FAILED");
    await expectError(await admin.api("/customers/session", send("POST", { user_id: user._id, domain: "https://x/y" })), 400, "VALIDATION_FAILED");
    await expectError(await admin.api("/customers/session", send("POST", { user_id: "000000000000000000000000", domain: "a.com" })), 404);
    await expectError(await admin.api("/customers/sessions"), 400, "VALIDATION_FAILED");
    await admin.api("/customers/archive", send("PUT", { user_id: user._id }));
    const refused = await expectError(await admin.api("/customers/session", send("POST", { user_id: user._id, domain: "a.com" })), 403, "ACCOUNT_UNUSABLE");
    expect(refused.message).toMatch(/no longer exists/);
    expect(await activeSessions(admin, user._id)).toEqual([]);
  });
});

describe("platform deleteSession and deleteActiveSessions", () => {
  it("end sessions at once and record the reasons", async () => {
    const admin = await newAdmin();
    const user = await admin.createUser({ email: "many@example.com" });
    const [one, two, three] = [await startSession(admin, user._id), await startSession(admin, user._id), await startSession(admin, user._id)];
    const oneId = one!.cookie["f.session"]!.split(".")[1]!;

    const res = await admin.api(`/customers/session?id=${user._id}&session_id=${oneId}&reason=lost%20phone`, { method: "DELETE" });
    expect(await res.json()).toEqual({ user_id: user._id, session_id: oneId });
    expect(await isValid(admin, one!)).toBe(false);
    expect(await isValid(admin, two!)).toBe(true);
    await expectError(await admin.api(`/customers/session?id=${user._id}&session_id=${oneId}&reason=again`, { method: "DELETE" }), 404);

    const all = await admin.api(`/customers/sessions?id=${user._id}&reason=security`, { method: "DELETE" });
    const body = (await all.json()) as { user_id: string; session_ids: string[] };
    expect(body.user_id).toBe(user._id);
    expect(body.session_ids).toHaveLength(2);
    expect(await isValid(admin, two!)).toBe(false);
    expect(await isValid(admin, three!)).toBe(false);
    expect(await activeSessions(admin, user._id)).toEqual([]);

    const timeline = (await (await admin.api(`/customers/${user._id}/timeline`)).json()) as { timeline: { type: string; sub_title: string | null }[] };
    expect(timeline.timeline.filter((t) => t.type.startsWith("admin.sessions.") || t.type === "admin.session.ended")).toEqual([
      expect.objectContaining({ type: "admin.session.ended", sub_title: "lost phone" }),
      expect.objectContaining({ type: "admin.sessions.ended", sub_title: "security" }),
    ]);
  });

  it("requires a reason", async () => {
    const admin = await newAdmin();
    const user = await admin.createUser({ email: "why@example.com" });
    const session = await startSession(admin, user._id);
    const sessionId = session.cookie["f.session"]!.split(".")[1]!;
    await expectError(await admin.api(`/customers/session?id=${user._id}&session_id=${sessionId}`, { method: "DELETE" }), 400, "VALIDATION_FAILED");
    await expectError(await admin.api(`/customers/sessions?id=${user._id}&reason=`, { method: "DELETE" }), 400, "VALIDATION_FAILED");
    expect(await isValid(admin, session)).toBe(true);
  });
});

describe("platform blockOrUnblockUsers", () => {
  it("blocking ends every session at once; unblocking allows sessions again", async () => {
    const admin = await newAdmin();
    const a = await admin.createUser({ email: "a@example.com" });
    const b = await admin.createUser({ email: "b@example.com" });
    const bystander = await admin.createUser({ email: "c@example.com" });
    const [sa, sb, sc] = [await startSession(admin, a._id), await startSession(admin, b._id), await startSession(admin, bystander._id)];

    const res = await admin.api("/customers/activation", send("PUT", { status: false, user_id: [a._id, b._id], reason: "fraud" }));
    expect(await res.json()).toEqual({ success: true });
    expect(await activeSessions(admin, a._id)).toEqual([]);
    expect(await activeSessions(admin, b._id)).toEqual([]);
    expect(await isValid(admin, sa!)).toBe(false);
    expect(await isValid(admin, sb!)).toBe(false);
    expect(await isValid(admin, sc!)).toBe(true);
    const refused = await expectError(await admin.api("/customers/session", send("POST", { user_id: a._id, domain: "a.com" })), 403, "ACCOUNT_UNUSABLE");
    expect(refused.message).toMatch(/blocked/);
    const listed = (await (await admin.api("/customers/search?q=a%40example")).json()) as { users: { status: string; active: boolean }[] };
    expect(listed.users[0]).toMatchObject({ status: "blocked", active: false });

    expect((await admin.api("/customers/activation", send("PUT", { status: true, user_id: [a._id], reason: "cleared" }))).status).toBe(200);
    const fresh = await startSession(admin, a._id);
    expect(await isValid(admin, fresh)).toBe(true);

    const events = (await eventsOf(admin.tenant.applicationId)).filter((e) => e.type.startsWith("admin.user.") && e.type.endsWith("blocked"));
    expect(events.map((e) => [e.type, e.user_id, e.sub_title])).toEqual([
      ["admin.user.blocked", a._id, "fraud"],
      ["admin.user.blocked", b._id, "fraud"],
      ["admin.user.unblocked", a._id, "cleared"],
    ]);
    expect(events.every((e) => e.actor === `platform:${admin.tenant.clientId}`)).toBe(true);
  });

  it("changes nothing when any id is unknown or the input is bad", async () => {
    const admin = await newAdmin();
    const user = await admin.createUser({ email: "safe@example.com" });
    const session = await startSession(admin, user._id);
    const before = await countRows("events", admin.tenant.applicationId);
    await expectError(await admin.api("/customers/activation", send("PUT", { status: false, user_id: [user._id, "000000000000000000000000"] })), 404);
    for (const body of [
      { status: false, user_id: user._id },
      { status: false, user_id: [] },
      { status: "no", user_id: [user._id] },
      { status: false, user_id: [user._id, user._id] },
      { user_id: [user._id] },
    ]) {
      await expectError(await admin.api("/customers/activation", send("PUT", body)), 400, "VALIDATION_FAILED");
    }
    const row = await env.DB.prepare("select blocked from users where id = ?").bind(user._id).first<{ blocked: number }>();
    expect(row?.blocked).toBe(0);
    expect(await isValid(admin, session)).toBe(true);
    expect(await countRows("events", admin.tenant.applicationId)).toBe(before);
  });
});

describe("sessions per user", () => {
  it(`keep at most ${MAX_SESSIONS_PER_USER}: a new one ends the least recently used, and only it`, async () => {
    const admin = await newAdmin();
    const user = await admin.createUser({ email: "many-devices@example.com" });
    const first = await startSession(admin, user._id, "first.example.com");
    const second = await startSession(admin, user._id, "second.example.com");
    for (let i = 2; i < MAX_SESSIONS_PER_USER; i++) await startSession(admin, user._id, `d${i}.example.com`);
    expect(await activeSessions(admin, user._id)).toHaveLength(MAX_SESSIONS_PER_USER);
    expect(await isValid(admin, first)).toBe(true);
    expect(await isValid(admin, second)).toBe(true);

    const newest = await startSession(admin, user._id, "newest.example.com");
    const items = await activeSessions(admin, user._id);
    expect(items).toHaveLength(MAX_SESSIONS_PER_USER);
    expect(await isValid(admin, newest)).toBe(true);
    expect(await isValid(admin, first)).toBe(false);
    expect(items.map((s) => s.domain)).not.toContain("first.example.com");
    expect(items.map((s) => s.domain)).toContain("second.example.com");
  });
});
