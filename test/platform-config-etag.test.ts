import { describe, expect, it } from "vitest";
import { call, expectError, json } from "./support/http";
import { newAdmin, type Admin } from "./support/customers";
import { adminHeaders } from "./support/tenants";

/**
 * Optimistic concurrency of the platform config over HTTP preconditions: GET answers an ETag, POST with
 * If-Match applies only to that version (412 otherwise, nothing written). Without If-Match (the Fynd SDK
 * never sends one) updates behave as before.
 */
type Config = Record<string, any> & { __v: number };

async function read(admin: Admin): Promise<{ etag: string | null; config: Config }> {
  const res = await admin.api("/platform/config");
  expect(res.status).toBe(200);
  return { etag: res.headers.get("etag"), config: (await res.json()) as Config };
}

const post = (admin: Admin, body: unknown, ifMatch?: string) =>
  admin.api("/platform/config", json(body, { method: "POST", headers: ifMatch === undefined ? {} : { "if-match": ifMatch } }));

describe("platform config: ETag and If-Match", () => {
  it("GET answers the version as an ETag; a POST with it applies and answers the next one", async () => {
    const admin = await newAdmin();
    const first = await read(admin);
    expect(first.etag).toBe(`"v${first.config.__v}"`);

    const res = await post(admin, { password_settings: { configs: { length: 10 } } }, first.etag!);
    expect(res.status).toBe(200);
    const saved = (await res.json()) as Config;
    expect(saved.__v).toBe(first.config.__v + 1);
    expect(res.headers.get("etag")).toBe(`"v${saved.__v}"`);
    const after = await read(admin);
    expect(after.etag).toBe(res.headers.get("etag"));
    expect(after.config.password_settings.configs.length).toBe(10);
  });

  it("a POST with a stale ETag is refused with 412 and changes nothing", async () => {
    const admin = await newAdmin();
    const opened = await read(admin);
    // Someone else saves first.
    expect((await post(admin, { display: "Theirs" }, opened.etag!)).status).toBe(200);
    const theirs = await read(admin);

    const refused = await expectError(await post(admin, { display: "Mine", password_settings: { configs: { length: 20 } } }, opened.etag!), 412, "PRECONDITION_FAILED");
    expect(refused.info).toMatchObject({ current: theirs.etag });
    const now = await read(admin);
    expect(now.config.__v).toBe(theirs.config.__v);
    expect(now.config.display).toBe("Theirs");
    expect(now.config.password_settings.configs.length).toBe(theirs.config.password_settings.configs.length);
  });

  it("accepts `*`, a list of tags and the weak form of the tag; refuses tags that are not ours", async () => {
    const admin = await newAdmin();
    expect((await post(admin, { display: "Any" }, "*")).status).toBe(200);
    const { etag } = await read(admin);
    expect((await post(admin, { display: "Listed" }, `"v999", ${etag}`)).status).toBe(200);
    const next = await read(admin);
    // Proxies that compress a response may weaken its ETag; the version it names is the same.
    expect((await post(admin, { display: "Weak" }, `W/${next.etag}`)).status).toBe(200);
    for (const tag of ['"v999"', '"abc"', "v1", '""', "W/", "garbage, more"]) {
      await expectError(await post(admin, { display: "Never" }, tag), 412, "PRECONDITION_FAILED");
    }
    expect((await read(admin)).config.display).toBe("Weak");
  });

  it("without If-Match, updates apply as the SDK expects (last write wins, merged)", async () => {
    const admin = await newAdmin();
    const before = await read(admin);
    expect((await post(admin, { display: "One" })).status).toBe(200);
    expect((await post(admin, { subtext: "Two" })).status).toBe(200);
    const after = await read(admin);
    expect(after.config).toMatchObject({ display: "One", subtext: "Two", __v: before.config.__v + 2 });
  });

  it("a bad body with a good If-Match is still a 400 naming the field, and nothing is written", async () => {
    const admin = await newAdmin();
    const { etag, config } = await read(admin);
    const error = await expectError(await post(admin, { password_settings: { configs: { length: 4 } } }, etag!), 400, "VALIDATION_FAILED");
    expect(error.info).toMatchObject({ fields: [{ field: "password_settings.configs.length" }] });
    expect((await read(admin)).config.__v).toBe(config.__v);
  });

  it("another company's admin cannot write this application's config, even with its current ETag", async () => {
    const mine = await newAdmin();
    const stranger = await newAdmin();
    const { etag } = await read(mine);
    const res = await call(`${mine.tenant.plat}/platform/config`, json({ display: "Intruder" }, { method: "POST", headers: { ...(await adminHeaders(stranger.tenant)), "if-match": etag! } }));
    expect([403, 404]).toContain(res.status);
    expect((await read(mine)).config.display).not.toBe("Intruder");
  });
});
