import { beforeAll, describe, expect, inject, it } from "vitest";
import { freshEmail, freshMobile, keepSession, platformSdk, registerAccount, storefrontSdk } from "./clients";

/**
 * The unmodified official platform SDK (PlatformClient) against the real Worker, with
 * strictResponseCheck on: the SDK validates every request with its Joi validators before sending and
 * every response with its Joi models after, so any contract difference fails here.
 */
const workerUrl = inject("workerUrl");
const PASSWORD = "Sdk-Platform-2026!";

type Admin = Awaited<ReturnType<typeof platformSdk>>["admin"];

/** The SDK types every response field as optional; these read what the assertions need. */
const ids = (users: { _id?: string }[] | undefined) => (users ?? []).map((u) => u._id);
const types = (entries: { type?: string }[] | undefined) => (entries ?? []).map((t) => t.type);

/** A storefront user with a verified email and a password, logged in through the storefront SDK. */
const storefrontUser = () => registerAccount(workerUrl, { password: PASSWORD, email: freshEmail("admin-target") });

async function storefrontLogin(email: string) {
  const { client, config } = storefrontSdk(workerUrl);
  await keepSession(config, client.user.loginWithEmailAndPassword({ body: { username: email, password: PASSWORD } }, { responseHeaders: true }));
  return { client, config };
}

/** The HTTP status of a rejected storefront SDK call (FDKServerResponseError.code). */
async function failureStatus(pending: Promise<unknown>): Promise<number> {
  return pending.then(
    () => 200,
    (e: { code: number }) => e.code,
  );
}

describe("platform SDK: PlatformClient (strictResponseCheck)", () => {
  let admin: Admin;
  beforeAll(async () => {
    admin = (await platformSdk(workerUrl)).admin;
  });

  it("the SDK renews its token through our refresh_token grant", async () => {
    const { config, admin: renewed } = await platformSdk(workerUrl);
    const before = config.oauthClient.token;
    const token = await config.oauthClient.renewAccessToken();
    expect(token).toMatchObject({ access_token: expect.any(String), refresh_token: expect.any(String), expires_in: expect.any(Number) });
    expect(config.oauthClient.token).not.toBe(before);
    expect((await renewed.getCustomers({ pageSize: 1 })).items?.length).toBeLessThanOrEqual(1);
  });

  describe("customers", () => {
    let created: { _id: string; email: string; mobile: string };

    beforeAll(async () => {
      const email = freshEmail("platform");
      const mobile = freshMobile();
      const { user } = await admin.createUser({
        body: { phone_number: `+91${mobile}`, email, first_name: "Plat", last_name: "Form", gender: "female", external_id: `crm-${mobile}`, meta: { tier: "gold" } },
      });
      created = { _id: user?._id ?? "", email, mobile };
      expect(user).toMatchObject({
        first_name: "Plat",
        gender: "female",
        meta: { tier: "gold" },
        emails: [{ email, primary: true, verified: true, active: true }],
        phone_numbers: [{ phone: mobile, country_code: 91, primary: true, verified: true, active: true }],
      });
    });

    it("getCustomers: paged list filtered by q", async () => {
      const list = await admin.getCustomers({ q: created.email, pageSize: 5, pageNo: 1 });
      expect(ids(list.items)).toEqual([created._id]);
      expect(list.items?.[0]).toMatchObject({ archive: false, status: "active" });
      expect(list.page).toMatchObject({ type: "number", current: 1, size: 5, item_total: 1, has_next: false });
    });

    it("searchUsers: by q and by several query values", async () => {
      const byQ = await admin.searchUsers({ q: created.email });
      expect(ids(byQ.users)).toContain(created._id);
      const byQuery = await admin.searchUsers({ query: [created.email, `+91${created.mobile}`] });
      expect(ids(byQuery.users)).toEqual([created._id]);
    });

    it("updateUser: profile fields and contact lists", async () => {
      const extra = freshEmail("platform-extra");
      const { user } = await admin.updateUser({
        userId: created._id,
        body: {
          first_name: "Platty",
          last_name: "Updated",
          gender: "male",
          meta: { tier: "platinum" },
          emails: [
            { email: created.email, primary: true, verified: true, active: true },
            { email: extra, primary: false, verified: false, active: true },
          ],
        },
      });
      expect(user).toMatchObject({ first_name: "Platty", last_name: "Updated", gender: "male", meta: { tier: "platinum" } });
      expect(user?.emails).toEqual(
        expect.arrayContaining([expect.objectContaining({ email: created.email, primary: true }), expect.objectContaining({ email: extra, primary: false })]),
      );
    });

    it("getUserTimeline: the account's history", async () => {
      const timeline = await admin.getUserTimeline({ userId: created._id });
      expect(timeline.timeline?.length).toBeGreaterThan(0);
      expect(timeline.timeline?.[0]).toMatchObject({ date: expect.any(String), title: expect.any(String), type: expect.any(String), visible: expect.any(Boolean) });
    });
  });

  it("blockOrUnblockUsers: a blocked user cannot log in on the storefront; unblocked, can again", async () => {
    const target = await storefrontUser();
    expect(await admin.blockOrUnblockUsers({ body: { status: false, user_id: [target.userId], reason: "fraud check" } })).toEqual({ success: true });
    expect(await failureStatus(storefrontLogin(target.email))).toBe(403);
    const { users: [listed] = [] } = await admin.searchUsers({ q: target.email });
    expect(listed).toMatchObject({ _id: target.userId, status: "blocked", active: false });

    expect(await admin.blockOrUnblockUsers({ body: { status: true, user_id: [target.userId], reason: "cleared" } })).toEqual({ success: true });
    const again = await storefrontLogin(target.email);
    expect((await again.client.user.getLoggedInUser()).user._id).toBe(target.userId);
  });

  /** A customer the store created, with a storefront session the store started (createUserSession). */
  async function storeCreatedCustomer() {
    const email = freshEmail("store-created");
    const { user } = await admin.createUser({ body: { phone_number: `+91${freshMobile()}`, email } });
    const userId = user?._id ?? "";
    const session = await admin.createUserSession({ body: { user_id: userId, domain: "shop.example.com" } });
    expect(session).toMatchObject({ domain: "shop.example.com", max_age: expect.any(Number), secure: true, http_only: true });
    const { client, config } = storefrontSdk(workerUrl);
    config.setCookie(`f.session=${session.cookie?.["f.session"]}`);
    return { client, email, userId };
  }

  it("createUserSession: the answered cookie is a working storefront session for the SDK's setCookie", async () => {
    const target = await storeCreatedCustomer();
    expect((await target.client.user.getLoggedInUser()).user._id).toBe(target.userId);
  });

  it("archiveUser: the account is gone from the storefront and its email can register again", async () => {
    const target = await storeCreatedCustomer();
    expect(await admin.archiveUser({ body: { user_id: target.userId } })).toEqual({ success: true });
    expect(await failureStatus(target.client.user.getLoggedInUser())).toBe(401);
    // Archiving releases the contacts: the email no longer finds the old account.
    expect((await admin.searchUsers({ query: [target.email] })).users).toEqual([]);
    const { timeline } = await admin.getUserTimeline({ userId: target.userId });
    expect(types(timeline)).toContain("admin.user.archived");

    const again = await registerAccount(workerUrl, { password: PASSWORD, email: target.email });
    expect(again.userId).not.toBe(target.userId);
    expect(ids((await admin.searchUsers({ query: [target.email] })).users)).toEqual([again.userId]);
  });

  it("getActiveSessions / deleteSession / deleteActiveSessions end storefront sessions", async () => {
    const target = await storefrontUser();
    const second = await storefrontLogin(target.email);
    const third = await storefrontLogin(target.email);

    const { items = [] } = await admin.getActiveSessions({ id: target.userId });
    expect(items).toHaveLength(3);
    expect(items[0]).toMatchObject({ session_id: expect.any(String), expire_in: expect.any(String) });
    const sessionIds = items.map((s) => s.session_id ?? "");

    const { sessions: [ownId] = [] } = await third.client.user.getListOfActiveSessions();
    expect(sessionIds).toContain(ownId);

    const [first = ""] = sessionIds;
    const one = await admin.deleteSession({ id: target.userId, sessionId: first, reason: "support request" });
    expect(one).toEqual({ user_id: target.userId, session_id: first });
    expect((await admin.getActiveSessions({ id: target.userId })).items).toHaveLength(2);

    const all = await admin.deleteActiveSessions({ id: target.userId, reason: "password leaked" });
    expect(all.user_id).toBe(target.userId);
    expect(all.session_ids).toHaveLength(2);
    for (const client of [target.client, second.client, third.client]) {
      expect(await failureStatus(client.user.getLoggedInUser())).toBe(401);
    }
  });

  it("getPlatformConfig / updatePlatformConfig: the whole object round-trips, and the storefront sees the change", async () => {
    const config = await admin.getPlatformConfig();
    expect(config).toMatchObject({ name: "Demo Store", login: { password: true, otp: true } });
    const original = config.subtext;
    const updated = await admin.updatePlatformConfig({ body: { ...config, subtext: "Sign in to the SDK store" } });
    expect(updated.subtext).toBe("Sign in to the SDK store");
    // Our extension fields (not in the SDK's model) survive the SDK's round trip.
    expect(updated).toMatchObject({ allowed_origins: expect.arrayContaining(["http://localhost:8787"]) });

    const { client } = storefrontSdk(workerUrl);
    expect((await client.user.getPlatformConfig({})).subtext).toBe("Sign in to the SDK store");
    await admin.updatePlatformConfig({ body: { ...updated, subtext: original } });
  });
});
