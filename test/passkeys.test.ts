import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { challengeGuard } from "../src/durable/factor-guard";
import { LOGOUT, SESSION, get, login, registeredUser, sessionCookie, storefront } from "./support/accounts";
import {
  PASSKEYS,
  PASSKEY_OPTIONS,
  PASSKEY_SIGN_IN,
  PASSKEY_SIGN_IN_OPTIONS,
  SHOP_ORIGIN,
  addPasskey,
  eventTypes,
  passkeyAssertion,
  passkeyRows,
  passkeyTenant,
  postAs,
  signInWithPasskey,
  userWithPasskey,
} from "./support/factors";
import { call, expectError, json } from "./support/http";
import { adminHeaders, createTenant } from "./support/tenants";
import { FLAGS, SoftwareAuthenticator, b64url, flipByte, fromB64url, tamperField } from "./support/webauthn";

describe("passkeys: registration", () => {
  it("adds a passkey in the session: stored with its counter, transports and flags, listed, on the timeline", async () => {
    const { account, passkey } = await userWithPasskey();
    const rows = await passkeyRows(account.userId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: passkey.id, counter: 0, device_type: "multiDevice", backed_up: 1, name: "Passkey" });
    expect(JSON.parse(rows[0]!.transports as string)).toEqual(["internal"]);
    expect(await eventTypes(account.userId)).toContain("user.passkey_added");
  });

  it("offers options for this RP: resident key, user verification, attestation none, the existing passkeys excluded", async () => {
    const { tenant, account, passkey } = await userWithPasskey();
    const res = await postAs(tenant, PASSKEY_OPTIONS, {}, account.cookie);
    const { options } = (await res.json()) as { options: Record<string, any> };
    expect(options.rp).toEqual({ id: "shop.example.com", name: "Example Shop" });
    expect(options.attestation).toBe("none");
    expect(options.authenticatorSelection).toMatchObject({ residentKey: "required", userVerification: "required" });
    expect(options.excludeCredentials.map((c: { id: string }) => c.id)).toEqual([passkey.credential_id]);
    expect(fromB64url(options.user.id)).toEqual(new TextEncoder().encode(account.userId));
  });

  it("needs a session", async () => {
    const tenant = await passkeyTenant();
    await expectError(await postAs(tenant, PASSKEY_OPTIONS, {}), 401);
    await expectError(await postAs(tenant, PASSKEYS, {}), 401);
  });

  it("refuses when passkeys are off, or no allowed origin lies on the RP id", async () => {
    const off = await createTenant({ config: { allowed_origins: [SHOP_ORIGIN] } });
    const user = await registeredUser(off);
    await expectError(await postAs(off, PASSKEY_OPTIONS, {}, user.cookie), 403, "PASSKEYS_DISABLED");
    await expectError(await postAs(off, PASSKEY_SIGN_IN_OPTIONS, {}), 403, "PASSKEYS_DISABLED");
    const elsewhere = await passkeyTenant({ passkeys: { enabled: true, rp_id: "other.example.org", rp_name: "" } });
    const other = await registeredUser(elsewhere);
    await expectError(await postAs(elsewhere, PASSKEY_OPTIONS, {}, other.cookie), 403, "PASSKEYS_NOT_CONFIGURED");
  });

  it("uses the RP id of a parent domain for every allowed origin on it", async () => {
    const tenant = await passkeyTenant({
      allowed_origins: ["https://www.example.com", "https://m.example.com", "https://evil.test"],
      passkeys: { enabled: true, rp_id: "example.com", rp_name: "" },
    });
    const account = await registeredUser(tenant);
    const added = await addPasskey(tenant, account.cookie, new SoftwareAuthenticator("https://m.example.com"));
    expect(added.res.status).toBe(200);
    // An allowed CORS origin that is not on the RP id is still no place for a passkey.
    const evil = await addPasskey(tenant, account.cookie, new SoftwareAuthenticator("https://evil.test"), { rpId: "example.com" });
    await expectError(evil.res, 400, "PASSKEY_VERIFICATION_FAILED");
  });

  const refusals: [string, (a: SoftwareAuthenticator) => Parameters<typeof addPasskey>[3]][] = [
    ["a wrong origin", () => ({ origin: "https://evil.example.net" })],
    ["a wrong RP id", () => ({ rpId: "evil.example.net" })],
    ["a sign-in ceremony type", () => ({ type: "webauthn.get" })],
    ["no user verification", () => ({ flags: FLAGS.UP | FLAGS.AT })],
    ["no user presence", () => ({ flags: FLAGS.UV | FLAGS.AT })],
    ["an unknown attestation format", () => ({ fmt: "made-up" })],
    ["a packed attestation with a bad self-signature", () => ({ fmt: "packed", attStmt: new Map<string, any>([["alg", -7], ["sig", new Uint8Array(70)]]) })],
  ];
  for (const [what, tamper] of refusals) {
    it(`refuses ${what}; nothing is stored`, async () => {
      const tenant = await passkeyTenant();
      const account = await registeredUser(tenant);
      const authenticator = new SoftwareAuthenticator(SHOP_ORIGIN);
      const { res } = await addPasskey(tenant, account.cookie, authenticator, tamper(authenticator));
      await expectError(res, 400, "PASSKEY_VERIFICATION_FAILED");
      expect(await passkeyRows(account.userId)).toHaveLength(0);
    });
  }

  it("refuses a tampered attestation object or client data; the challenge is used up", async () => {
    const tenant = await passkeyTenant();
    const account = await registeredUser(tenant);
    const a = new SoftwareAuthenticator(SHOP_ORIGIN);
    const opts = async () => ((await (await postAs(tenant, PASSKEY_OPTIONS, {}, account.cookie)).json()) as { options: any }).options;
    // A bit of the RP id hash inside authData (the attestation object's tail holds the COSE key; its head, the format name).
    const flipped = tamperField(await a.register(await opts()), "attestationObject", (bytes) => {
      const at = bytes.findIndex((_, i) => bytes[i] === 0x68 && new TextDecoder().decode(bytes.slice(i + 1, i + 9)) === "authData");
      return flipByte(at + 12)(bytes);
    });
    await expectError(await postAs(tenant, PASSKEYS, { response: flipped }, account.cookie), 400, "PASSKEY_VERIFICATION_FAILED");
    const cut = tamperField(await a.register(await opts()), "attestationObject", (b) => b.slice(0, 40));
    await expectError(await postAs(tenant, PASSKEYS, { response: cut }, account.cookie), 400, "PASSKEY_VERIFICATION_FAILED");
    // Client data that no longer names an issued challenge.
    const garbled = tamperField(await a.register(await opts()), "clientDataJSON", flipByte(30));
    await expectError(await postAs(tenant, PASSKEYS, { response: garbled }, account.cookie), 400);
    expect(await passkeyRows(account.userId)).toHaveLength(0);
    // The untouched response to a challenge already spent by a failed attempt is refused too.
    const options = await opts();
    const good = await a.register(options);
    await postAs(tenant, PASSKEYS, { response: tamperField(good, "attestationObject", (b) => b.slice(0, 40)) }, account.cookie);
    await expectError(await postAs(tenant, PASSKEYS, { response: good }, account.cookie), 400, "CHALLENGE_INVALID");
  });

  it("a challenge works once, even when the same response is sent 10 times at once", async () => {
    const tenant = await passkeyTenant();
    const account = await registeredUser(tenant);
    const res = await postAs(tenant, PASSKEY_OPTIONS, {}, account.cookie);
    const response = await new SoftwareAuthenticator(SHOP_ORIGIN).register(((await res.json()) as { options: any }).options);
    const results = await Promise.all(Array.from({ length: 10 }, () => postAs(tenant, PASSKEYS, { response }, account.cookie)));
    expect(results.map((r) => r.status).sort()).toEqual([200, ...Array(9).fill(400)]);
    expect(await passkeyRows(account.userId)).toHaveLength(1);
  });

  it("a challenge is bound to the session that asked for it, and to its user", async () => {
    const tenant = await passkeyTenant();
    const account = await registeredUser(tenant);
    const other = await registeredUser(tenant);
    const res = await postAs(tenant, PASSKEY_OPTIONS, {}, account.cookie);
    const { options } = (await res.json()) as { options: any };
    const response = await new SoftwareAuthenticator(SHOP_ORIGIN).register(options);
    const secondSession = sessionCookie(await login(tenant, account.email, account.password));
    await expectError(await postAs(tenant, PASSKEYS, { response }, secondSession), 400, "CHALLENGE_INVALID");
    const res2 = await postAs(tenant, PASSKEY_OPTIONS, {}, account.cookie);
    const response2 = await new SoftwareAuthenticator(SHOP_ORIGIN).register(((await res2.json()) as { options: any }).options);
    await expectError(await postAs(tenant, PASSKEYS, { response: response2 }, other.cookie), 400, "CHALLENGE_INVALID");
    expect(await passkeyRows(other.userId)).toHaveLength(0);
  });

  it("a challenge expires after 5 minutes", async () => {
    const guard = challengeGuard(env.FACTOR_GUARD, "app", "some-challenge-value");
    const now = Date.now();
    await guard.put("challenge", "{}", now + 300_000, now);
    expect(await guard.take("challenge", now + 300_001)).toBeUndefined();
  });

  it("a sign-in challenge cannot register a passkey", async () => {
    const tenant = await passkeyTenant();
    const account = await registeredUser(tenant);
    const res = await postAs(tenant, PASSKEY_SIGN_IN_OPTIONS, {});
    const { options } = (await res.json()) as { options: any };
    const response = await new SoftwareAuthenticator(SHOP_ORIGIN).register({ ...options, rp: { id: "shop.example.com", name: "x" }, user: { id: b64url(new Uint8Array(3)), name: "x", displayName: "x" } });
    await expectError(await postAs(tenant, PASSKEYS, { response }, account.cookie), 400, "CHALLENGE_INVALID");
  });

  it("the same authenticator credential cannot be registered twice", async () => {
    const { tenant, account, authenticator } = await userWithPasskey();
    const res = await postAs(tenant, PASSKEY_OPTIONS, {}, account.cookie);
    const { options } = (await res.json()) as { options: any };
    // The authenticator answers a fresh challenge with the credential it already registered.
    const response = await authenticator.register(options, { reuse: 0 });
    await expectError(await postAs(tenant, PASSKEYS, { response }, account.cookie), 409, "PASSKEY_EXISTS");
    expect(await passkeyRows(account.userId)).toHaveLength(1);
    // Nor on another account of the application.
    const other = await registeredUser(tenant);
    const res2 = await postAs(tenant, PASSKEY_OPTIONS, {}, other.cookie);
    const again = await authenticator.register(((await res2.json()) as { options: any }).options, { reuse: 0 });
    await expectError(await postAs(tenant, PASSKEYS, { response: again }, other.cookie), 409, "PASSKEY_EXISTS");
  });

  it("bad input is a 400 naming the field, and writes nothing", async () => {
    const tenant = await passkeyTenant();
    const account = await registeredUser(tenant);
    for (const body of [{}, { response: {} }, { response: { id: "x", rawId: "x", type: "public-key", response: { clientDataJSON: "!!", attestationObject: "a" }, clientExtensionResults: {} } }, { response: "x" }, { response: { type: "password" } }]) {
      const err = await expectError(await postAs(tenant, PASSKEYS, body, account.cookie), 400, "VALIDATION_FAILED");
      expect(JSON.stringify(err.info)).toContain("response");
    }
    const { response } = await addPasskey(tenant, account.cookie, new SoftwareAuthenticator(SHOP_ORIGIN));
    await expectError(await postAs(tenant, PASSKEYS, { response, name: "x".repeat(65) }, account.cookie), 400, "VALIDATION_FAILED");
    expect((await passkeyRows(account.userId)).length).toBe(1);
  });
});

describe("passkeys: sign-in", () => {
  it("signs in with a discoverable credential: same cookie, revocable session, audit event, counter moved", async () => {
    const { tenant, account, authenticator } = await userWithPasskey();
    const { options, response } = await passkeyAssertion(tenant, authenticator);
    expect(options.allowCredentials ?? []).toEqual([]);
    expect(options.userVerification).toBe("required");
    expect(options.rpId).toBe("shop.example.com");
    const res = await signInWithPasskey(tenant, response);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { user: { _id: string } }).user._id).toBe(account.userId);
    expect(res.headers.get("set-cookie")).toMatch(/f\.session=[^;]+; Max-Age=\d+; Path=\/; HttpOnly; Secure; SameSite=None/);
    const cookie = sessionCookie(res);
    expect((await get(tenant, SESSION, cookie)).status).toBe(200);
    const { results } = await env.DB.prepare("select data from events where user_id = ? and type = 'user.logged_in'").bind(account.userId).all<{ data: string }>();
    expect(results.map((r) => JSON.parse(r.data).method)).toContain("passkey");
    expect((await passkeyRows(account.userId))[0]).toMatchObject({ counter: 1 });
    expect((await passkeyRows(account.userId))[0]!.last_used_at).toBeTruthy();
    expect((await get(tenant, LOGOUT, cookie)).status).toBe(200);
    await expectError(await get(tenant, SESSION, cookie), 401);
  });

  it("by username: only that account's passkeys are offered; another account's passkey is refused", async () => {
    const { tenant, account, authenticator, passkey } = await userWithPasskey();
    const { options, response } = await passkeyAssertion(tenant, authenticator, {}, account.email);
    expect(options.allowCredentials!.map((c) => c.id)).toEqual([passkey.credential_id]);
    expect((await signInWithPasskey(tenant, response)).status).toBe(200);

    const other = await registeredUser(tenant);
    const forOther = await passkeyAssertion(tenant, authenticator, { credentialId: passkey.credential_id }, other.email);
    expect(forOther.options.allowCredentials).toEqual([]);
    await expectError(await signInWithPasskey(tenant, forOther.response), 401, "PASSKEY_INVALID");
    // An unknown username gets options just like an account without passkeys.
    const unknown = await postAs(tenant, PASSKEY_SIGN_IN_OPTIONS, { username: "nobody@example.com" });
    expect(((await unknown.json()) as { options: { allowCredentials: unknown[] } }).options.allowCredentials).toEqual([]);
  });

  const refusals: [string, Parameters<typeof passkeyAssertion>[2]][] = [
    ["a wrong origin", { origin: "https://evil.example.net" }],
    ["a wrong RP id", { rpId: "evil.example.net" }],
    ["a registration ceremony type", { type: "webauthn.create" }],
    ["no user verification (a passkey must count as two factors)", { flags: FLAGS.UP }],
    ["a cross-origin iframe", { crossOrigin: true, origin: "https://evil.example.net" }],
  ];
  for (const [what, tamper] of refusals) {
    it(`refuses ${what}`, async () => {
      const { tenant, authenticator, account } = await userWithPasskey();
      const { response } = await passkeyAssertion(tenant, authenticator, tamper);
      const res = await signInWithPasskey(tenant, response);
      await expectError(res, 401, "PASSKEY_INVALID");
      expect(res.headers.get("set-cookie")).toBeNull();
      expect((await passkeyRows(account.userId))[0]).toMatchObject({ counter: 0 });
    });
  }

  it("refuses a tampered signature, authenticator data or user handle", async () => {
    const { tenant, authenticator } = await userWithPasskey();
    for (const [field, edit] of [
      ["signature", flipByte(-3)],
      ["authenticatorData", flipByte(5)],
      ["authenticatorData", flipByte(33)],
    ] as const) {
      const { response } = await passkeyAssertion(tenant, authenticator);
      await expectError(await signInWithPasskey(tenant, tamperField(response, field, edit)), 401, "PASSKEY_INVALID");
    }
    const { response } = await passkeyAssertion(tenant, authenticator);
    const otherHandle = { ...response, response: { ...response.response, userHandle: b64url(new TextEncoder().encode("000000000000000000000000")) } };
    await expectError(await signInWithPasskey(tenant, otherHandle), 401, "PASSKEY_INVALID");
  });

  it("takes an ES256 signature in DER only: the same valid signature spelled as lax BER is refused", async () => {
    const { tenant, authenticator, account } = await userWithPasskey();
    // Each takes a correct DER signature 30 L 02 Lr r 02 Ls s (short forms: P-256) and re-encodes the same (r, s).
    const reencodings: [string, (der: Uint8Array) => Uint8Array][] = [
      ["a byte after it", (der) => Uint8Array.from([...der, 0x00])],
      ["a long-form length", (der) => Uint8Array.from([0x30, 0x81, ...der.subarray(1)])],
      ["an indefinite length", (der) => Uint8Array.from([0x30, 0x80, ...der.subarray(2), 0x00, 0x00])],
    ];
    for (const [what, reencode] of reencodings) {
      const { response } = await passkeyAssertion(tenant, authenticator);
      const res = await signInWithPasskey(tenant, tamperField(response, "signature", reencode));
      const body = await expectError(res, 401, "PASSKEY_INVALID");
      expect(JSON.stringify(body), what).toMatch(/not DER/);
      expect(res.headers.get("set-cookie")).toBeNull();
    }
    expect((await passkeyRows(account.userId))[0]).toMatchObject({ counter: 0 });
    const { response } = await passkeyAssertion(tenant, authenticator);
    expect((await signInWithPasskey(tenant, response)).status).toBe(200);
  });

  it("refuses an unknown credential, and a credential of another application", async () => {
    const { tenant } = await userWithPasskey();
    const stranger = new SoftwareAuthenticator(SHOP_ORIGIN);
    await stranger.register({ challenge: "AAAAAAAAAAAAAAAAAAAAAA", rp: { id: "shop.example.com", name: "x" }, user: { id: "eA", name: "x", displayName: "x" } });
    const { response } = await passkeyAssertion(tenant, stranger);
    await expectError(await signInWithPasskey(tenant, response), 401, "PASSKEY_INVALID");

    const other = await userWithPasskey();
    const { response: foreign } = await passkeyAssertion(tenant, other.authenticator);
    await expectError(await signInWithPasskey(tenant, foreign), 401, "PASSKEY_INVALID");
  });

  it("a challenge works once: a replayed assertion is refused, also 10 at once", async () => {
    const { tenant, authenticator } = await userWithPasskey();
    const { response } = await passkeyAssertion(tenant, authenticator);
    const results = await Promise.all(Array.from({ length: 10 }, () => signInWithPasskey(tenant, response)));
    expect(results.map((r) => r.status).sort()).toEqual([200, ...Array(9).fill(400)]);
    await expectError(await signInWithPasskey(tenant, response), 400, "CHALLENGE_INVALID");
  });

  it("a registration challenge cannot sign in", async () => {
    const { tenant, account, authenticator } = await userWithPasskey();
    const res = await postAs(tenant, PASSKEY_OPTIONS, {}, account.cookie);
    const { options } = (await res.json()) as { options: { challenge: string } };
    const response = await authenticator.assert({ challenge: options.challenge });
    await expectError(await signInWithPasskey(tenant, response), 400, "CHALLENGE_INVALID");
  });

  it("refuses a counter that went backwards, and a cloned authenticator", async () => {
    const { tenant, account, authenticator } = await userWithPasskey();
    const twin = authenticator.clone();
    for (let i = 0; i < 2; i++) {
      const { response } = await passkeyAssertion(tenant, authenticator);
      expect((await signInWithPasskey(tenant, response)).status).toBe(200);
    }
    // The clone still counts from where it was copied: 1 after the genuine one reached 2.
    const { response: cloned } = await passkeyAssertion(tenant, twin);
    await expectError(await signInWithPasskey(tenant, cloned), 401, "PASSKEY_CLONED");
    const { response: same } = await passkeyAssertion(tenant, authenticator, { counter: 2 });
    await expectError(await signInWithPasskey(tenant, same), 401, "PASSKEY_CLONED");
    expect((await passkeyRows(account.userId))[0]).toMatchObject({ counter: 2 });
    const { response: next } = await passkeyAssertion(tenant, authenticator, { counter: 3 });
    expect((await signInWithPasskey(tenant, next)).status).toBe(200);
  });

  it("two assertions with the same counter racing: one wins", async () => {
    const { tenant, authenticator } = await userWithPasskey();
    const twin = authenticator.clone();
    const a = await passkeyAssertion(tenant, authenticator, { counter: 5 });
    const b = await passkeyAssertion(tenant, twin, { counter: 5 });
    const results = await Promise.all([signInWithPasskey(tenant, a.response), signInWithPasskey(tenant, b.response)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
  });

  it("wrong assertions count in the login guard of the account and client IP", async () => {
    const { tenant, authenticator } = await userWithPasskey({ account_lockout: { enable: true, attempts: 3, duration: 600 } });
    const ip = { "cf-connecting-ip": "198.51.100.23" };
    for (let i = 0; i < 3; i++) {
      const { response } = await passkeyAssertion(tenant, authenticator, { origin: "https://evil.example.net" });
      await expectError(await signInWithPasskey(tenant, response, ip), 401);
    }
    const { response } = await passkeyAssertion(tenant, authenticator);
    await expectError(await signInWithPasskey(tenant, response, ip), 429);
    const { response: fromElsewhere } = await passkeyAssertion(tenant, authenticator);
    expect((await signInWithPasskey(tenant, fromElsewhere, { "cf-connecting-ip": "198.51.100.24" })).status).toBe(200);
  });

  it("a blocked account cannot sign in with its passkey", async () => {
    const { tenant, account, authenticator } = await userWithPasskey();
    const admin = await adminHeaders(tenant);
    const block = await call(`${tenant.plat}/customers/activation`, json({ user_id: [account.userId], status: false, reason: "test" }, { method: "PUT", headers: admin }));
    expect(block.status).toBe(200);
    const { response } = await passkeyAssertion(tenant, authenticator);
    await expectError(await signInWithPasskey(tenant, response), 403);
  });

  it("bad input is a 400, and makes no session", async () => {
    const tenant = await passkeyTenant();
    for (const body of [{}, { response: {} }, { response: { id: "a", rawId: "a", type: "public-key", response: { clientDataJSON: "a" }, clientExtensionResults: {} } }]) {
      const res = await postAs(tenant, PASSKEY_SIGN_IN, body);
      await expectError(res, 400, "VALIDATION_FAILED");
      expect(res.headers.get("set-cookie")).toBeNull();
    }
    await expectError(await postAs(tenant, PASSKEY_SIGN_IN_OPTIONS, { username: "" }), 400, "VALIDATION_FAILED");
    await expectError(await call(PASSKEY_SIGN_IN_OPTIONS, { method: "POST", headers: storefront(tenant, undefined, { "content-type": "application/json" }), body: "{" }), 400);
  });
});

describe("passkeys: managing them", () => {
  it("rename and delete own passkeys; another user's are not found", async () => {
    const { tenant, account, passkey } = await userWithPasskey();
    const rename = await call(`${PASSKEYS}/${passkey.id}`, json({ name: "  Work laptop " }, { method: "PUT", headers: storefront(tenant, account.cookie) }));
    expect(rename.status).toBe(200);
    expect(((await rename.json()) as { passkey: { name: string } }).passkey.name).toBe("Work laptop");
    const list = (await (await get(tenant, PASSKEYS, account.cookie)).json()) as { items: { id: string; name: string }[] };
    expect(list.items.map((p) => p.name)).toEqual(["Work laptop"]);

    const other = await registeredUser(tenant);
    await expectError(await call(`${PASSKEYS}/${passkey.id}`, { method: "DELETE", headers: storefront(tenant, other.cookie) }), 404, "PASSKEY_NOT_FOUND");
    await expectError(await call(`${PASSKEYS}/${passkey.id}`, json({ name: "mine" }, { method: "PUT", headers: storefront(tenant, other.cookie) })), 404);
    await expectError(await call(`${PASSKEYS}/not-an-id`, { method: "DELETE", headers: storefront(tenant, account.cookie) }), 400, "VALIDATION_FAILED");
    await expectError(await call(`${PASSKEYS}/${passkey.id}`, json({ name: "" }, { method: "PUT", headers: storefront(tenant, account.cookie) })), 400);

    expect((await call(`${PASSKEYS}/${passkey.id}`, { method: "DELETE", headers: storefront(tenant, account.cookie) })).status).toBe(200);
    expect(await passkeyRows(account.userId)).toHaveLength(0);
    expect(await eventTypes(account.userId)).toContain("user.passkey_removed");
  });

  it("a removed passkey no longer signs in", async () => {
    const { tenant, account, authenticator, passkey } = await userWithPasskey();
    await call(`${PASSKEYS}/${passkey.id}`, { method: "DELETE", headers: storefront(tenant, account.cookie) });
    const { response } = await passkeyAssertion(tenant, authenticator);
    await expectError(await signInWithPasskey(tenant, response), 401, "PASSKEY_INVALID");
  });

  it("the platform lists and deletes a customer's passkeys, within its application only", async () => {
    const { tenant, account, passkey } = await userWithPasskey();
    const admin = await adminHeaders(tenant);
    const list = await call(`${tenant.plat}/customers/${account.userId}/passkeys`, { headers: admin });
    expect(list.status).toBe(200);
    expect(((await list.json()) as { items: { id: string }[] }).items.map((p) => p.id)).toEqual([passkey.id]);

    const other = await userWithPasskey();
    const otherAdmin = await adminHeaders(other.tenant);
    await expectError(await call(`${other.tenant.plat}/customers/${account.userId}/passkeys`, { headers: otherAdmin }), 404);
    await expectError(await call(`${other.tenant.plat}/customers/${account.userId}/passkeys/${passkey.id}`, { method: "DELETE", headers: otherAdmin }), 404);
    await expectError(await call(`${tenant.plat}/customers/${account.userId}/passkeys/${other.passkey.id}`, { method: "DELETE", headers: admin }), 404, "PASSKEY_NOT_FOUND");
    await expectError(await call(`${tenant.plat}/customers/${account.userId}/passkeys`), 401);

    expect((await call(`${tenant.plat}/customers/${account.userId}/passkeys/${passkey.id}`, { method: "DELETE", headers: admin })).status).toBe(200);
    expect(await passkeyRows(account.userId)).toHaveLength(0);
    const timeline = (await (await call(`${tenant.plat}/customers/${account.userId}/timeline`, { headers: admin })).json()) as { timeline: { type: string }[] };
    expect(timeline.timeline.map((e) => e.type)).toEqual(expect.arrayContaining(["user.passkey_added", "user.passkey_removed"]));
  });
});
