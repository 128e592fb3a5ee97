import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { DEFAULT_PLATFORM_CONFIG } from "../src/schemas/platform-config";
import { assertPasswordAllowed, MAX_PASSWORD_LENGTH, policyViolations } from "../src/services/passwords/policy";
import { setPassword } from "../src/services/passwords/passwords";
import { toHex } from "../src/crypto/tokens";
import { ApiError } from "../src/errors";
import {
  accountStoresForTest,
  countUsers,
  get,
  GOOD_PASSWORD,
  login,
  register,
  registeredUser,
  SESSION,
  tenantApp,
  uniqueEmail,
  updatePassword,
  userRow,
} from "./support/accounts";
import { expectError } from "./support/http";
import { createTenant } from "./support/tenants";

const settings = DEFAULT_PLATFORM_CONFIG.password_settings;
const strict = {
  ...settings,
  configs: { length: 12, require_special_character: true, require_number: true, require_capital_character: true },
};
const rulesOf = (password: string, s = settings, context = {}) => policyViolations(password, s, context).map((v) => v.rule);

afterEach(() => vi.restoreAllMocks());

/** What the range API indexes by, computed here so the mocked service answers like the real one. */
const sha1Upper = async (text: string) => toHex(await crypto.subtle.digest("SHA-1", new TextEncoder().encode(text))).toUpperCase();

describe("password policy rules", () => {
  it("defaults follow OWASP ASVS: at least 8, no composition rules, long passphrases welcome", () => {
    expect(rulesOf("Violet7")).toEqual(["min_length"]);
    expect(rulesOf("violet anchor teacup")).toEqual([]);
    expect(rulesOf("x".repeat(MAX_PASSWORD_LENGTH - 1) + "y")).toEqual([]);
    expect(rulesOf("x".repeat(MAX_PASSWORD_LENGTH) + "y")).toEqual(["max_length"]);
    expect(MAX_PASSWORD_LENGTH).toBeGreaterThanOrEqual(64);
  });

  it("names each composition rule the application turned on", () => {
    expect(rulesOf("short", strict)).toEqual(["min_length", "require_number", "require_capital_character", "require_special_character"]);
    expect(rulesOf("lowercase-only-words", strict)).toEqual(["require_number", "require_capital_character"]);
    expect(rulesOf("Capital-and-words", strict)).toEqual(["require_number"]);
    expect(rulesOf("Capital1AndDigits", strict)).toEqual(["require_special_character"]);
    expect(rulesOf("Capital-1-and-more", strict)).toEqual([]);
  });

  it("always refuses the most common passwords, whatever their case", async () => {
    const common = accountStoresForTest().passwords;
    for (const password of ["password", "12345678", "Baseball", "QWERTYUIOP", "iloveyou"]) {
      const error = await assertPasswordAllowed(password, settings, common).catch((e: unknown) => e);
      expect(error, password).toBeInstanceOf(ApiError);
      expect(JSON.stringify((error as ApiError).info), password).toContain("common_password");
    }
    await expect(assertPasswordAllowed("violet anchor teacup", settings, common)).resolves.toBeUndefined();
    const listed = await env.DB.prepare("select count(*) as n from common_passwords").first<{ n: number }>();
    expect(listed?.n).toBe(10_000);
  });

  it("refuses the user's own email or phone as the password", () => {
    expect(rulesOf("asha.rao@example.com", settings, { email: "asha.rao@example.com" })).toContain("matches_identity");
    expect(rulesOf("Asha.Rao2024", settings, { email: "asha.rao2024@example.com" })).toContain("matches_identity");
    expect(rulesOf("9876543210", settings, { phone: "9876543210" })).toContain("matches_identity");
  });
});

describe("breach check (k-anonymity range API)", () => {
  const withBreachCheck = { ...settings, breach_check: true };

  it("sends only a 5-character SHA-1 prefix and refuses a password found in the range", async () => {
    const sha1 = await sha1Upper(GOOD_PASSWORD);
    const fetchSpy = vi.spyOn(globalThis, "fetch").mockImplementation(async () =>
      new Response(`0018A45C4D1DEF81644B54AB7F969B88D65:1\r\n${sha1.slice(5)}:42\r\nFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:0`),
    );
    const error = await assertPasswordAllowed(GOOD_PASSWORD, withBreachCheck, accountStoresForTest().passwords).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).info).toEqual({ rules: [{ rule: "breached_password", message: expect.any(String) }] });
    expect(fetchSpy).toHaveBeenCalledTimes(1);
    const url = String(fetchSpy.mock.calls[0]![0]);
    expect(url).toBe(`https://api.pwnedpasswords.com/range/${sha1.slice(0, 5)}`);
    expect(url).not.toContain(sha1.slice(5));
  });

  it("lets a password through when it is not in the range, or only as padding (count 0)", async () => {
    vi.spyOn(globalThis, "fetch").mockImplementation(async () => new Response("0018A45C4D1DEF81644B54AB7F969B88D65:3\n"));
    await expect(assertPasswordAllowed(GOOD_PASSWORD, withBreachCheck, accountStoresForTest().passwords)).resolves.toBeUndefined();
  });

  it("fails open with a logged warning when the service cannot be reached", async () => {
    vi.spyOn(globalThis, "fetch").mockRejectedValue(new Error("network down"));
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    await expect(assertPasswordAllowed(GOOD_PASSWORD, withBreachCheck, accountStoresForTest().passwords)).resolves.toBeUndefined();
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("breach_check_unavailable"));
  });

  it("makes no outbound call unless the application turned it on", async () => {
    const fetchSpy = vi.spyOn(globalThis, "fetch");
    await assertPasswordAllowed(GOOD_PASSWORD, settings, accountStoresForTest().passwords);
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it("refuses a breached password at registration over HTTP", async () => {
    const tenant = await createTenant({ config: { password_settings: { breach_check: true } } });
    const sha1 = await sha1Upper(GOOD_PASSWORD);
    vi.spyOn(globalThis, "fetch").mockImplementation(async () => new Response(`${sha1.slice(5)}:7`));
    const body = await expectError(await register(tenant, { email: uniqueEmail(), password: GOOD_PASSWORD }), 400, "PASSWORD_POLICY_VIOLATION");
    expect(body.message).toContain("breached_password");
    expect(await countUsers(tenant)).toBe(0);
  });
});

const strictConfig = { password_settings: { configs: strict.configs } };
const weakPasswords: [string, string][] = [
  ["Sh0rt-pw!", "min_length"],
  ["no-digits-Here-at-all", "require_number"],
  ["no-capitals-here-42", "require_capital_character"],
  ["NoSpecialChars42here", "require_special_character"],
  ["x".repeat(MAX_PASSWORD_LENGTH + 1), "max_length"],
];

describe("policy on every path that sets a password", () => {
  it("registration: each rule is refused with a 400 naming it, and nothing is written", async () => {
    const tenant = await createTenant({ config: strictConfig });
    for (const [password, rule] of weakPasswords) {
      const body = await expectError(await register(tenant, { email: uniqueEmail(), password }), 400, "PASSWORD_POLICY_VIOLATION");
      expect(body.message).toContain(rule);
      expect((body.info as { rules: { rule: string }[] }).rules.map((r) => r.rule)).toContain(rule);
    }
    expect(await countUsers(tenant)).toBe(0);
  });

  it("update: each rule is refused and the old password keeps working", async () => {
    const tenant = await createTenant({ config: strictConfig });
    const account = await registeredUser(tenant, { password: "Capital-1-and-more" });
    for (const [password, rule] of weakPasswords) {
      const body = await expectError(await updatePassword(tenant, account.cookie, account.password, password), 400, "PASSWORD_POLICY_VIOLATION");
      expect(body.message).toContain(rule);
    }
    expect((await login(tenant, account.email, account.password)).status).toBe(200);
  });

  it("reset (the service the forgot-password flows call): each rule is refused", async () => {
    const tenant = await createTenant({ config: strictConfig });
    const account = await registeredUser(tenant, { password: "Capital-1-and-more" });
    const stores = accountStoresForTest();
    const user = (await stores.users.findById(tenant.applicationId, account.userId))!;
    for (const [password, rule] of weakPasswords) {
      const error = await setPassword(stores, tenantApp(tenant, strictConfig), { user, password, actor: "user", reason: "reset" }).catch((e: unknown) => e);
      expect((error as ApiError).code).toBe("PASSWORD_POLICY_VIOLATION");
      expect((error as ApiError).message).toContain(rule);
    }
    expect((await userRow(account.userId))?.password_hash).toBe(user.user.passwordHash);
  });
});

describe("password history", () => {
  const historyConfig = { password_settings: { history: { required: true, count: 3 } } };
  const pw = (n: number) => `Seasonal-Lantern-${n}-Quartz`;

  it("refuses the last N passwords on update and accepts the (N+1)-th most recent", async () => {
    const tenant = await createTenant({ config: historyConfig });
    const account = await registeredUser(tenant, { password: pw(1) });
    expect((await updatePassword(tenant, account.cookie, pw(1), pw(2))).status).toBe(200);
    expect((await updatePassword(tenant, account.cookie, pw(2), pw(3))).status).toBe(200);
    // Last three: 3 (current), 2, 1.
    for (const reused of [1, 2, 3]) {
      const body = await expectError(await updatePassword(tenant, account.cookie, pw(3), pw(reused)), 400, "PASSWORD_POLICY_VIOLATION");
      expect(body.message).toContain("history");
    }
    expect((await updatePassword(tenant, account.cookie, pw(3), pw(4))).status).toBe(200);
    // Last three are now 4, 3, 2: password 1 is the fourth most recent and allowed again.
    expect((await updatePassword(tenant, account.cookie, pw(4), pw(1))).status).toBe(200);
    expect((await login(tenant, account.email, pw(1))).status).toBe(200);
    const rows = await env.DB.prepare("select hash from password_history where user_id = ?").bind(account.userId).all<{ hash: string }>();
    expect(rows.results).toHaveLength(5);
    for (const row of rows.results) expect(row.hash).toMatch(/^pbkdf2-sha256\$/);
  });

  it("refuses a recent password on the reset path too", async () => {
    const tenant = await createTenant({ config: historyConfig });
    const account = await registeredUser(tenant, { password: pw(1) });
    const stores = accountStoresForTest();
    const user = (await stores.users.findById(tenant.applicationId, account.userId))!;
    const app = tenantApp(tenant, historyConfig);
    const error = await setPassword(stores, app, { user, password: pw(1), actor: "user", reason: "reset" }).catch((e: unknown) => e);
    expect((error as ApiError).message).toContain("history");
    await setPassword(stores, app, { user, password: pw(2), actor: "user", reason: "reset" });
    expect((await login(tenant, account.email, pw(2))).status).toBe(200);
    // A reset ends every session, the one that registered included.
    expect((await get(tenant, SESSION, account.cookie)).status).toBe(401);
  });

  it("claims a reset's single-use code only for a password that passed, and writes nothing when the claim fails", async () => {
    const tenant = await createTenant({ config: historyConfig });
    const account = await registeredUser(tenant, { password: pw(1) });
    const stores = accountStoresForTest();
    const user = (await stores.users.findById(tenant.applicationId, account.userId))!;
    const app = tenantApp(tenant, historyConfig);
    let claims = 0;
    const claim = async () => void claims++;
    await expect(setPassword(stores, app, { user, password: "short", actor: "user", reason: "reset", claim })).rejects.toThrow(/min_length/);
    await expect(setPassword(stores, app, { user, password: pw(1), actor: "user", reason: "reset", claim })).rejects.toThrow(/history/);
    expect(claims).toBe(0);
    const spent = async () => {
      throw new ApiError(400, "CODE_INVALID", "already used");
    };
    await expect(setPassword(stores, app, { user, password: pw(2), actor: "user", reason: "reset", claim: spent })).rejects.toThrow("already used");
    expect((await userRow(account.userId))?.password_hash).toBe(user.user.passwordHash);
    expect((await get(tenant, SESSION, account.cookie)).status).toBe(200);
    await setPassword(stores, app, { user, password: pw(2), actor: "user", reason: "reset", claim });
    expect(claims).toBe(1);
  });

  it("allows reuse when the application keeps no history", async () => {
    const tenant = await createTenant();
    const account = await registeredUser(tenant);
    expect((await updatePassword(tenant, account.cookie, account.password, account.password)).status).toBe(200);
  });
});
