import { env } from "cloudflare:workers";
import { Webhook } from "standardwebhooks";
import { afterEach, describe, expect, it, vi } from "vitest";
import { retryDelaySeconds, MAX_ATTEMPTS } from "../src/services/webhooks/delivery";
import { GOOD_PASSWORD, LOGIN, registeredUser, storefront, updatePassword } from "./support/accounts";
import { newAdmin, send, type Admin } from "./support/customers";
import { call, expectError, json } from "./support/http";
import { lastCode } from "./support/otp";
import { createTenant } from "./support/tenants";
import { adminFor } from "./support/customers";
import { attempts, deliveries, HOOK_URL, receiver, subscribe, until, webhookRows, type Received } from "./support/webhooks";

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const verify = (secret: string, r: Received) => new Webhook(secret).verify(r.body, r.headers) as { type: string; data: Record<string, unknown> };

async function createdUser(admin: Admin) {
  return admin.createUser({ first_name: "Mira", last_name: "Sen", email: `m${crypto.randomUUID()}@example.com` });
}

describe("webhook subscriptions", () => {
  it("creates, lists, reads, updates and deletes endpoints; the secret is shown only when issued", async () => {
    const admin = await newAdmin();
    const types = await admin.api("/webhooks/event-types");
    const names = ((await types.json()) as { items: { type: string }[] }).items.map((i) => i.type);
    expect(names).toEqual(expect.arrayContaining(["user.created", "user.login_failed", "group.member_added", "job.failed", "user.passkey_added", "user.mfa_reset"]));

    const created = await subscribe(admin, { event_types: ["user.created", "user.login", "user.created"], description: "CRM" });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(created).toMatchObject({ url: HOOK_URL, event_types: ["user.created", "user.login"], enabled: true, disabled_at: null });

    const read = await (await admin.api(`/webhooks/endpoints/${created.id}`)).json();
    expect(read).not.toHaveProperty("secret");
    const list = (await (await admin.api("/webhooks/endpoints")).json()) as { items: unknown[]; page: { item_total: number } };
    expect(list.page.item_total).toBe(1);
    expect(JSON.stringify(list)).not.toContain(created.secret);
    const stored = await env.DB.prepare("select secret from webhook_endpoints where id = ?").bind(created.id).first<{ secret: string }>();
    expect(stored!.secret).not.toContain(created.secret.slice(6));

    const updated = await admin.api(`/webhooks/endpoints/${created.id}`, send("PATCH", { enabled: false, event_types: ["user.erased"] }));
    expect(await updated.json()).toMatchObject({ enabled: false, event_types: ["user.erased"] });

    expect((await admin.api(`/webhooks/endpoints/${created.id}`, { method: "DELETE" })).status).toBe(200);
    await expectError(await admin.api(`/webhooks/endpoints/${created.id}`), 404);
  });

  it("refuses every bad input with a 4xx and writes nothing", async () => {
    const admin = await newAdmin();
    const endpoint = await subscribe(admin);
    const before = await webhookRows("webhook_endpoints", admin.tenant.applicationId);
    const badUrls = [
      "http://hooks.example.com/x", // not https
      "https://localhost/x",
      "https://127.0.0.1/x",
      "https://10.1.2.3/x",
      "https://172.20.0.1/x",
      "https://192.168.1.1/x",
      "https://169.254.169.254/latest/meta-data",
      "https://100.64.0.1/x",
      "https://0.0.0.0/x",
      "https://2130706433/x", // 127.0.0.1 as a number
      "https://[::1]/x",
      "https://[fd00:ec2::254]/x",
      "https://[fe80::1]/x",
      "https://[::ffff:10.0.0.1]/x",
      "https://metadata.google.internal/x",
      "https://printer.local/x",
      "https://intranet/x",
      "https://user:pass@hooks.example.com/x",
      "ftp://hooks.example.com/x",
      "not a url",
    ];
    for (const url of badUrls) {
      const body = await expectError(await admin.api("/webhooks/endpoints", send("POST", { url, event_types: ["user.created"] })), 400, "VALIDATION_FAILED");
      expect(JSON.stringify(body.info), url).toContain("url");
      await expectError(await admin.api(`/webhooks/endpoints/${endpoint.id}`, send("PATCH", { url })), 400, "VALIDATION_FAILED");
    }
    const badBodies = [
      {},
      { url: HOOK_URL },
      { url: HOOK_URL, event_types: [] },
      { url: HOOK_URL, event_types: ["user.nope"] },
      { url: HOOK_URL, event_types: "user.created" },
      { url: HOOK_URL, event_types: ["user.created"], enabled: "yes" },
      { url: HOOK_URL, event_types: ["user.created"], description: "x".repeat(501) },
      { url: `https://hooks.example.com/${"a".repeat(2100)}`, event_types: ["user.created"] },
    ];
    for (const body of badBodies) await expectError(await admin.api("/webhooks/endpoints", send("POST", body)), 400, "VALIDATION_FAILED");
    await expectError(await admin.api(`/webhooks/endpoints/${endpoint.id}`, send("PATCH", {})), 400, "VALIDATION_FAILED");
    await expectError(await admin.api(`/webhooks/endpoints/${endpoint.id}/secret/rotate`, send("POST", { expire_previous_in_seconds: 8 * 86400 })), 400);
    await expectError(await admin.api(`/webhooks/endpoints/${endpoint.id}/secret/rotate`, send("POST", { expire_previous_in_seconds: -1 })), 400);
    await expectError(await admin.api(`/webhooks/endpoints/${endpoint.id}/replay`, send("POST", { since: "yesterday" })), 400);
    await expectError(await admin.api(`/webhooks/endpoints/${endpoint.id}/replay`, send("POST", { since: new Date(Date.now() + 3600_000).toISOString() })), 400);
    await expectError(await admin.api(`/webhooks/endpoints/${endpoint.id}/deliveries?status=lost`), 400);
    await expectError(await admin.api(`/webhooks/endpoints/${endpoint.id}/deliveries/msg_nope/replay`, { method: "POST" }), 404);
    await expectError(await admin.api("/webhooks/endpoints", { method: "POST", headers: { "content-type": "application/json" }, body: "{" }), 400);

    expect(await webhookRows("webhook_endpoints", admin.tenant.applicationId)).toBe(before);
    const row = (await (await admin.api(`/webhooks/endpoints/${endpoint.id}`)).json()) as { url: string; updated_at: string };
    expect(row.url).toBe(HOOK_URL);
    expect(await webhookRows("webhook_deliveries", admin.tenant.applicationId)).toBe(0);
    await expectError(await call(`${admin.tenant.plat}/webhooks/endpoints`), 401);
  });

  it("keeps each application's endpoints and events to itself", async () => {
    const owner = await newAdmin();
    const other = await newAdmin();
    const { received } = receiver();
    const mine = await subscribe(owner);
    const theirs = await subscribe(other, { url: "https://hooks.other.example/in" });

    for (const [method, path] of [
      ["GET", ""],
      ["PATCH", ""],
      ["DELETE", ""],
      ["POST", "/secret/rotate"],
      ["GET", "/attempts"],
      ["GET", "/deliveries"],
      ["POST", "/test"],
      ["POST", "/replay"],
    ] as const) {
      const body = method === "PATCH" ? { enabled: false } : path === "/replay" ? { since: new Date(0).toISOString() } : method === "POST" ? {} : undefined;
      const res = await other.api(`/webhooks/endpoints/${mine.id}${path}`, body === undefined ? { method } : send(method, body));
      await expectError(res, 404);
    }
    const list = (await (await other.api("/webhooks/endpoints")).json()) as { items: { id: string }[] };
    expect(list.items.map((e) => e.id)).toEqual([theirs.id]);

    await createdUser(owner);
    await until(async () => received.length >= 1, "the owner's delivery");
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(received.map((r) => r.url)).toEqual([HOOK_URL]);
    expect(await deliveries(other, theirs.id)).toEqual([]);
    // The owner's endpoint is unchanged by the other tenant's attempts.
    expect(await (await owner.api(`/webhooks/endpoints/${mine.id}`)).json()).toMatchObject({ enabled: true });
  });
});

describe("webhook delivery", () => {
  it("signs each delivery by the Standard Webhooks spec (verified with the standardwebhooks package)", async () => {
    const admin = await newAdmin();
    const { received } = receiver();
    const endpoint = await subscribe(admin);
    const user = await createdUser(admin);

    const [hit] = await until(async () => received.length > 0 && received, "a delivery");
    expect(hit!.init.redirect).toBe("manual");
    expect(hit!.init.signal).toBeInstanceOf(AbortSignal);
    expect(hit!.headers["webhook-id"]).toMatch(/^msg_/);
    expect(hit!.headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    const payload = verify(endpoint.secret, hit!);
    expect(payload).toMatchObject({ type: "user.created", application_id: admin.tenant.applicationId, data: { user_id: user._id, by: "store" } });

    // A tampered body, another secret or an old timestamp fail the reference verifier.
    expect(() => new Webhook(endpoint.secret).verify(hit!.body.replace("user.created", "user.erased"), hit!.headers)).toThrow();
    expect(() => new Webhook(`whsec_${btoa("another secret of 32 bytes length")}`).verify(hit!.body, hit!.headers)).toThrow();
    expect(() => new Webhook(endpoint.secret).verify(hit!.body, { ...hit!.headers, "webhook-timestamp": String(Math.floor(Date.now() / 1000) - 3600) })).toThrow();

    const [delivery] = await until(async () => {
      const items = await deliveries(admin, endpoint.id);
      return items[0]?.status === "delivered" && items;
    }, "delivered status");
    expect(delivery!.id).toBe(hit!.headers["webhook-id"]);
  });

  it("delivers the recorded events of the storefront and the platform to the endpoints that want them", async () => {
    const admin = await newAdmin();
    const { received } = receiver();
    const all = await subscribe(admin, { event_types: ["user.created", "user.login", "user.password_changed", "user.blocked", "session.revoked"] });
    const onlyBlocks = await subscribe(admin, { url: "https://hooks.example.com/blocks", event_types: ["user.blocked"] });

    const shopper = await registeredUser(admin.tenant);
    expect((await call(LOGIN, json({ username: shopper.email, password: shopper.password }, { method: "POST", headers: storefront(admin.tenant) }))).status).toBe(200);
    expect((await updatePassword(admin.tenant, shopper.cookie, shopper.password, "Second-Violet-Anchor-77")).status).toBe(200);
    expect((await admin.api("/customers/activation", send("PUT", { user_id: [shopper.userId], status: false, reason: "fraud" }))).status).toBe(200);

    const types = (r: Received[], url: string) => r.filter((x) => x.url === url).map((x) => (JSON.parse(x.body) as { type: string }).type);
    await until(async () => types(received, HOOK_URL).includes("user.blocked") && types(received, HOOK_URL).includes("user.password_changed"), "all events");
    expect(types(received, HOOK_URL)).toEqual(expect.arrayContaining(["user.created", "user.login", "user.password_changed", "user.blocked"]));
    await until(async () => types(received, "https://hooks.example.com/blocks").length === 1, "the block");
    expect(types(received, "https://hooks.example.com/blocks")).toEqual(["user.blocked"]);
    const login = received.filter((r) => r.url === HOOK_URL).map((r) => verify(all.secret, r)).find((p) => p.type === "user.login" && p.data.method === "password");
    expect(login!.data).toMatchObject({ user_id: shopper.userId, method: "password", by: "user" });
    const blocked = received.filter((r) => r.url.endsWith("/blocks")).map((r) => verify(onlyBlocks.secret, r))[0]!;
    expect(blocked.data).toEqual({ user_id: shopper.userId, by: "store", reason: "fraud" });
  });

  it("retries with backoff until the receiver answers 2xx; the log shows each attempt", async () => {
    const admin = await newAdmin();
    const { received } = receiver((n) => (n <= 3 ? new Response("down for maintenance", { status: 503 }) : new Response("thanks")));
    const endpoint = await subscribe(admin);
    await createdUser(admin);

    const log = await until(async () => {
      const items = await attempts(admin, endpoint.id);
      return items.length === 4 && items;
    }, "four attempts");
    expect(log.map((a) => a.status)).toEqual([200, 503, 503, 503]);
    expect(log[3]!.response_snippet).toBe("down for maintenance");
    expect(log.every((a) => a.latency_ms >= 0)).toBe(true);
    expect(new Set(received.map((r) => r.headers["webhook-id"])).size).toBe(1);
    const [delivery] = await deliveries(admin, endpoint.id);
    expect(delivery).toMatchObject({ status: "delivered", attempts: 4 });
    expect(await (await admin.api(`/webhooks/endpoints/${endpoint.id}`)).json()).toMatchObject({ failing_since: null, enabled: true });
  });

  it("spreads retries over more than 24 hours: exponential, jittered, within the Queues delay limit", () => {
    const low = Array.from({ length: MAX_ATTEMPTS - 1 }, (_, i) => retryDelaySeconds(i + 1, 0));
    const high = Array.from({ length: MAX_ATTEMPTS - 1 }, (_, i) => retryDelaySeconds(i + 1, 1));
    expect(low.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(24 * 3600);
    for (let i = 1; i < low.length; i++) expect(low[i]!).toBeGreaterThanOrEqual(low[i - 1]!);
    expect(low[0]).toBeLessThan(high[0]!);
    expect(Math.max(...high)).toBeLessThanOrEqual(43_200);
    expect(retryDelaySeconds(2, 0.5)).toBe(20);
  });

  it("dead-letters a delivery after the last attempt, and a replay sends it again with the same webhook-id", async () => {
    const admin = await newAdmin();
    let up = false;
    const { received } = receiver(() => (up ? new Response("ok") : new Response("no", { status: 500 })));
    const endpoint = await subscribe(admin);
    await createdUser(admin);

    const [dead] = await until(async () => {
      const items = await deliveries(admin, endpoint.id, "&status=dead");
      return items.length === 1 && items;
    }, "a dead letter");
    expect(dead).toMatchObject({ attempts: MAX_ATTEMPTS, status: "dead" });
    expect(received).toHaveLength(MAX_ATTEMPTS);

    up = true;
    const replay = await admin.api(`/webhooks/endpoints/${endpoint.id}/deliveries/${dead!.id}/replay`, { method: "POST" });
    expect(await replay.json()).toEqual({ delivery_ids: [dead!.id] });
    await until(async () => (await deliveries(admin, endpoint.id, "&status=delivered")).length === 1, "the replay");
    expect(received.at(-1)!.headers["webhook-id"]).toBe(dead!.id);
    expect(received.at(-1)!.body).toBe(received[0]!.body);
  });

  it("replays everything since a time; sends a test event on request", async () => {
    const admin = await newAdmin();
    const { received } = receiver();
    const endpoint = await subscribe(admin);
    const since = new Date().toISOString();
    await createdUser(admin);
    await createdUser(admin);
    await until(async () => received.length === 2, "two deliveries");

    const replay = (await (await admin.api(`/webhooks/endpoints/${endpoint.id}/replay`, send("POST", { since }))).json()) as { delivery_ids: string[] };
    expect(replay.delivery_ids).toHaveLength(2);
    await until(async () => received.length === 4, "two replays");
    expect(new Set(received.map((r) => r.headers["webhook-id"]))).toEqual(new Set(replay.delivery_ids));

    const test = await admin.api(`/webhooks/endpoints/${endpoint.id}/test`, { method: "POST" });
    expect(test.status).toBe(200);
    const queued = (await test.json()) as { id: string; event_type: string };
    expect(queued.event_type).toBe("webhook.test");
    const hit = await until(async () => received.find((r) => r.headers["webhook-id"] === queued.id), "the test event");
    expect(verify(endpoint.secret, hit)).toMatchObject({ type: "webhook.test", data: { endpoint_id: endpoint.id } });
  });

  it("follows no redirect, truncates response bodies and logs failures without an answer", async () => {
    const admin = await newAdmin();
    const { received } = receiver((n) => {
      if (n === 1) return new Response(null, { status: 302, headers: { location: "http://169.254.169.254/latest/meta-data" } });
      if (n === 2) throw new DOMException("The operation was aborted due to timeout", "TimeoutError");
      return new Response("x".repeat(100_000));
    });
    const endpoint = await subscribe(admin);
    await createdUser(admin);
    const log = await until(async () => {
      const items = await attempts(admin, endpoint.id);
      return items.length === 3 && items;
    }, "three attempts");
    expect(received.map((r) => r.url)).toEqual([HOOK_URL, HOOK_URL, HOOK_URL]);
    expect(log[2]).toMatchObject({ status: 302 });
    expect(log[1]).toMatchObject({ status: 0, error: "Timed out after 10 s" });
    expect(log[0]!.status).toBe(200);
    expect(log[0]!.response_snippet).toHaveLength(1024);
  });

  it("disables an endpoint that has failed for 3 days and says so on the endpoint and in the audit trail", async () => {
    const admin = await newAdmin();
    receiver(() => new Response("no", { status: 500 }));
    const endpoint = await subscribe(admin);
    await createdUser(admin);
    await until(async () => (await attempts(admin, endpoint.id)).length >= 1, "a first failure");
    const failing = (await (await admin.api(`/webhooks/endpoints/${endpoint.id}`)).json()) as { failing_since: string };
    expect(failing.failing_since).toBeTruthy();
    await until(async () => (await deliveries(admin, endpoint.id, "&status=dead")).length === 1, "the first delivery to give up");

    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.parse(failing.failing_since) + 3 * 86_400_000 + 60_000);
    const later = await adminFor(admin.tenant); // a token of the new "now"
    await createdUser(later);
    const disabled = await until(async () => {
      const body = (await (await later.api(`/webhooks/endpoints/${endpoint.id}`)).json()) as { enabled: boolean; disabled_at: string | null; disabled_reason: string };
      return !body.enabled && body;
    }, "the endpoint disabled");
    expect(disabled.disabled_at).toBeTruthy();
    expect(disabled.disabled_reason).toContain(failing.failing_since);
    const audit = await env.DB.prepare("select data from events where application_id = ? and type = 'admin.webhook.endpoint_disabled'").bind(admin.tenant.applicationId).first<{ data: string }>();
    expect(JSON.parse(audit!.data)).toMatchObject({ endpoint_id: endpoint.id });

    // Disabled: new events are not sent; the test call refuses; re-enabling starts afresh.
    await expectError(await later.api(`/webhooks/endpoints/${endpoint.id}/test`, { method: "POST" }), 409);
    const enabled = await later.api(`/webhooks/endpoints/${endpoint.id}`, send("PATCH", { enabled: true }));
    expect(await enabled.json()).toMatchObject({ enabled: true, disabled_at: null, disabled_reason: null, failing_since: null });
  });

  it("rotates the secret: old and new both sign during the window, only the new one after", async () => {
    const admin = await newAdmin();
    const { received } = receiver();
    const endpoint = await subscribe(admin);
    const rotated = (await (await admin.api(`/webhooks/endpoints/${endpoint.id}/secret/rotate`, send("POST", {}))).json()) as { secret: string; previous_secret_expires_at: string };
    expect(rotated.secret).not.toBe(endpoint.secret);
    expect(Date.parse(rotated.previous_secret_expires_at) - Date.now()).toBeGreaterThan(23 * 3600_000);
    await createdUser(admin);
    const [first] = await until(async () => received.length === 1 && received, "a delivery");
    expect(first!.headers["webhook-signature"]!.split(" ")).toHaveLength(2);
    expect(verify(rotated.secret, first!).type).toBe("user.created");
    expect(verify(endpoint.secret, first!).type).toBe("user.created");

    const final = (await (await admin.api(`/webhooks/endpoints/${endpoint.id}/secret/rotate`, send("POST", { expire_previous_in_seconds: 0 }))).json()) as { secret: string };
    await createdUser(admin);
    const second = await until(async () => received[1], "a second delivery");
    expect(second.headers["webhook-signature"]!.split(" ")).toHaveLength(1);
    expect(verify(final.secret, second).type).toBe("user.created");
    expect(() => verify(rotated.secret, second)).toThrow();
  });

  it("never puts passwords, hashes, OTPs, tokens, contacts or attribute values in payloads", async () => {
    const tenant = await createTenant();
    const admin = await adminFor(tenant);
    const { received } = receiver();
    const endpoint = await subscribe(admin, { event_types: ["user.created", "user.login", "user.password_changed", "user.updated", "user.contact_added"] });
    const shopper = await registeredUser(tenant);
    const otp = await lastCode(shopper.email); // the registration code
    const login = await call(LOGIN, json({ username: shopper.email, password: shopper.password }, { method: "POST", headers: storefront(tenant) }));
    const cookie = login.headers.get("set-cookie")!;
    const newPassword = "Third-Violet-Anchor-55";
    expect((await updatePassword(tenant, shopper.cookie, GOOD_PASSWORD, newPassword)).status).toBe(200);
    const definition = (await (await admin.api("/user_attribute/definition", send("POST", { name: "PAN", slug: "pan", type: "string", encrypted: true }))).json()) as { _id: string };
    expect((await admin.api(`/user_attribute/definition/${definition._id}/user/${shopper.userId}`, send("PUT", { attribute: { value: "ABCDE1234F" } }))).status).toBe(200);
    await until(async () => {
      const types = received.map((r) => (JSON.parse(r.body) as { type: string }).type);
      return ["user.created", "user.login", "user.password_changed", "user.updated"].every((t) => types.includes(t));
    }, "every event");

    const hashes = await env.DB.prepare("select hash from password_history where user_id = ?").bind(shopper.userId).all<{ hash: string }>();
    expect(hashes.results.length).toBeGreaterThan(0);
    const payloads = received.map((r) => verify(endpoint.secret, r));
    const everything = payloads.map((p) => JSON.stringify(p)).join("\n");
    const secrets = [shopper.password, newPassword, shopper.email, otp, "ABCDE1234F", "pbkdf2", cookie.split(";")[0]!.split("=")[1]!, ...hashes.results.map((h) => h.hash)];
    for (const secret of secrets) expect(everything).not.toContain(secret);
    const keys = (value: unknown): string[] =>
      value && typeof value === "object" ? Object.entries(value).flatMap(([k, v]) => [k, ...keys(v)]) : [];
    expect(payloads.flatMap(keys).filter((k) => /password|otp|token|secret|hash|cookie|email|phone/i.test(k))).toEqual([]);
  });

  it("sends user.login_failed at most once per account per window, and group membership changes with the ids moved", async () => {
    const admin = await newAdmin();
    const { received } = receiver();
    const endpoint = await subscribe(admin, { event_types: ["user.login_failed", "group.member_added", "group.member_removed"] });
    const shopper = await registeredUser(admin.tenant);
    const wrong = (username: string) => call(LOGIN, json({ username, password: "Wrong-Violet-Anchor-11" }, { method: "POST", headers: storefront(admin.tenant) }));
    for (let i = 0; i < 3; i++) await expectError(await wrong(shopper.email), 401, "INVALID_CREDENTIALS");
    await expectError(await wrong("nobody-here@example.com"), 401, "INVALID_CREDENTIALS");

    const group = (await (await admin.api("/user_group", send("POST", { name: "VIP", description: "best", type: "bulk" }))).json()) as { _id: string };
    const patch = (action: string) => admin.api(`/user_group/${group._id}`, send("PATCH", { type: "json", user_data: [{ action, user_id: shopper.userId }] }));
    expect((await patch("add")).status).toBe(200);
    expect((await patch("remove")).status).toBe(200);

    const payloads = await until(async () => {
      const all = received.map((r) => verify(endpoint.secret, r));
      return all.some((p) => p.type === "group.member_removed") && all.some((p) => p.type === "user.login_failed") && all;
    }, "login failure and membership messages");
    await new Promise((resolve) => setTimeout(resolve, 300));
    const failures = received.map((r) => verify(endpoint.secret, r)).filter((p) => p.type === "user.login_failed");
    expect(failures).toHaveLength(1);
    expect(failures[0]!.data).toEqual({ user_id: shopper.userId, by: "user", reason: "wrong_password" });
    expect(payloads.find((p) => p.type === "group.member_added")!.data).toEqual({ group_id: group._id, by: "store", user_ids: [shopper.userId] });
    expect(payloads.find((p) => p.type === "group.member_removed")!.data).toEqual({ group_id: group._id, by: "store", user_ids: [shopper.userId] });
  });

  it("an outbox row left by a crash is fanned out by the cron sweep", async () => {
    const admin = await newAdmin();
    const { received } = receiver();
    await subscribe(admin);
    // As a request leaves it when the isolate dies after its commit: the event and (by the trigger) its outbox row, no queue message.
    const eventId = crypto.randomUUID().replace(/-/g, "").slice(0, 24);
    await env.DB.prepare("insert into events (id, application_id, user_id, type, title, actor, visible, data, created_at) values (?, ?, ?, 'admin.user.created', 'x', 'platform:x', 1, null, ?)")
      .bind(eventId, admin.tenant.applicationId, "u".repeat(24), new Date().toISOString())
      .run();
    expect(await webhookRows("webhook_outbox", admin.tenant.applicationId)).toBe(1);

    const worker = (await import("../src/index")).default;
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 2 * 60_000);
    await worker.scheduled!({ cron: "* * * * *", scheduledTime: Date.now(), noRetry() {} } as ScheduledController, env);
    const hit = await until(async () => received[0], "the swept delivery");
    expect(JSON.parse(hit.body)).toMatchObject({ event_id: eventId, type: "user.created" });
    expect(await webhookRows("webhook_outbox", admin.tenant.applicationId)).toBe(0);
  });
});
