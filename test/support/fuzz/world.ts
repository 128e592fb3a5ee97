import fc from "fast-check";
import { vi } from "vitest";
import { FB_DEBUG, FB_ME, GOOGLE_TOKENINFO, jsonResponse, jwksHandlers, socialConfig } from "../social";
import { adminFor, type Admin } from "../customers";
import { e164, lastCode, post, randomEmail, randomMobile, type MobileSent } from "../otp";
import { adminSession, loginByOtp, sessionIsValid, type LoggedIn } from "../sessions";
import { basic, createTenant, platformToken, type Tenant } from "../tenants";
import { usersRepo } from "../users";
import { accountUnusableReason } from "../../../src/services/accounts/users";
import type { ShapeContext } from "./arbitraries";
import type { OpenApiDocument } from "./openapi";
import type { Credentials } from "./requests";

const HIBP_RANGE = "https://api.pwnedpasswords.com/range/";

/** Every feature on, generous send limits: generated requests should get deep into the flows, not stop at a 429. */
const FUZZ_CONFIG = socialConfig({
  otp: { resend_timer: 0, per_destination_per_hour: 100, per_ip_per_hour: 10_000 },
});

/**
 * The fuzzed tenant with a logged-in user, plus a sibling application of the same company and a
 * tenant of another company, each with a user of its own: their ids are offered wherever a request
 * takes an id, so generated requests also try to reach other tenants' data.
 */
export interface FuzzWorld {
  tenant: Tenant;
  /** `company_id` / `application_id` of the fuzzed tenant's paths. */
  tenantParams: Record<string, string>;
  shape: ShapeContext;
  /** Remembers the ids a successful response carries, so later requests can address what earlier ones created. */
  harvest(body: unknown): void;
  /** Fresh credentials for a series of requests (platform tokens expire). */
  credentials(): Promise<Credentials>;
  /** Usable sessions again for every party whose session earlier requests ended, blocked or archived. */
  restoreSessions(): Promise<void>;
}

interface Party {
  tenant: Tenant;
  admin: Admin;
  user: LoggedIn;
}

async function party(tenant: Tenant, login: (admin: Admin) => Promise<LoggedIn>): Promise<Party> {
  const admin = await adminFor(tenant);
  return { tenant, admin, user: await login(admin) };
}

async function freshUser(admin: Admin): Promise<LoggedIn> {
  const user = await admin.createUser({ email: `fuzz-${crypto.randomUUID()}@example.com` });
  return adminSession(admin, user._id);
}

async function usable(p: Party): Promise<boolean> {
  const record = await usersRepo().findById(p.tenant.applicationId, p.user.userId);
  return !!record && !accountUnusableReason(record.user) && (await sessionIsValid(p.tenant, p.user.token));
}

/** OTPs waiting to be verified, so a generated verify can succeed (once) and log in. */
async function pendingOtps(tenant: Tenant) {
  const mobile = randomMobile();
  const email = randomEmail();
  const sent = await post(tenant, "/authentication/v1.0/otp/mobile/send", { mobile, country_code: "91" });
  await post(tenant, "/authentication/v1.0/otp/email/send", { email });
  const { request_id } = (await sent.json()) as MobileSent;
  return { requestId: request_id, mobileCode: await lastCode(e164(mobile)), email, emailCode: await lastCode(email) };
}

export async function fuzzWorld(doc: OpenApiDocument): Promise<FuzzWorld> {
  const tenant = await createTenant({ config: FUZZ_CONFIG });
  const own = await party(tenant, () => loginByOtp(tenant));
  const sibling = await party(await createTenant({ companyId: tenant.companyId, config: FUZZ_CONFIG }), freshUser);
  const stranger = await party(await createTenant({ config: FUZZ_CONFIG }), freshUser);
  const parties = [own, sibling, stranger];

  const pending = await pendingOtps(tenant);
  const userIds = () => fc.constantFrom(...parties.map((p) => p.user.userId), "000000000000000000000000");
  const created = new Set<string>();
  const known: ShapeContext["known"] = {
    user_id: fc.constant(null).chain(userIds),
    id: fc.constant(null).chain(userIds),
    _id: fc.constant(null).chain(userIds),
    session_id: fc.constant(null).chain(() => fc.constantFrom(...parties.map((p) => p.user.sessionId))),
    request_id: fc.constant(pending.requestId),
    otp: fc.constantFrom(pending.mobileCode, pending.emailCode),
    email: fc.constant(pending.email),
  };

  return {
    tenant,
    tenantParams: { company_id: tenant.companyId, application_id: tenant.applicationId },
    shape: {
      doc,
      known,
      ids: fc.constant(null).chain(() => fc.constantFrom(...parties.map((p) => p.user.userId), ...created)),
    },
    harvest(body) {
      // Depth-limited: a file the fuzz uploaded can come back as JSON nested thousands deep.
      const walk = (value: unknown, depth: number) => {
        if (depth > 6 || value === null || typeof value !== "object") return;
        for (const [key, child] of Object.entries(value)) {
          // Our ids (newId: 24 hex), not provider client ids or request ids.
          if (typeof child === "string" && /(^|_)id$/i.test(key) && /^[0-9a-f]{24}$/.test(child) && created.size < 500) created.add(child);
          else walk(child, depth + 1);
        }
      };
      walk(body, 0);
    },
    async restoreSessions() {
      for (const p of parties) if (!(await usable(p))) p.user = await freshUser(p.admin);
    },
    async credentials() {
      const [ownToken, foreignToken] = await Promise.all([platformToken(tenant), platformToken(stranger.tenant)]);
      const schemes = (p: Party, token: string) => ({
        applicationCredential: p.tenant.appAuth,
        platformToken: `Bearer ${token}`,
        platformClient: basic(p.tenant.clientId, p.tenant.clientSecret),
      });
      return {
        own: schemes(own, ownToken),
        foreign: schemes(stranger, foreignToken),
        // Read at request time: restoreSessions may have replaced a party's user.
        cookie: {
          get own() {
            return own.user.token;
          },
          get foreign() {
            return stranger.user.token;
          },
        },
      };
    },
  };
}

/**
 * Outside services as they answer requests they cannot vouch for: social providers refuse generated
 * tokens (so social routes must answer 4xx), the breach API knows no password. Any other outbound
 * fetch fails, and the request with it (a 5xx the fuzz reports).
 */
export function refusingProviders() {
  const exact: Record<string, () => Response> = {
    ...Object.fromEntries(Object.entries(jwksHandlers()).map(([url, handler]) => [url, () => handler(new URL(url)) as Response])),
    [GOOGLE_TOKENINFO]: () => jsonResponse({ error: "invalid_token" }, 400),
    [FB_DEBUG]: () => jsonResponse({ data: { is_valid: false } }),
    [FB_ME]: () => jsonResponse({ error: { message: "Invalid OAuth access token" } }, 400),
  };
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const handler = exact[`${url.origin}${url.pathname}`];
    if (handler) return handler();
    if (url.href.startsWith(HIBP_RANGE)) return new Response("0000000000000000000000000000000000A:0\r\n");
    throw new Error(`unexpected outbound fetch: ${url.href}`);
  });
}
