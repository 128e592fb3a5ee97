import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { database } from "../src/db/client";
import { UsersRepo } from "../src/db/users-repo";
import { DEFAULT_PLATFORM_CONFIG } from "../src/schemas/platform-config";
import { createSession, endAllSessions, validateSession } from "../src/services/sessions/sessions";
import { newUserRecord } from "../src/services/accounts/users";
import { createTenant } from "./support/tenants";

const stores = () => ({ registry: env.USER_SESSIONS, records: env.SESSIONS_KV });
const client = { userAgent: "test", ip: "127.0.0.1", domain: "https://shop.test" };

describe("session registry", () => {
  it("validates a live session, refuses tampered and revoked ones even with the KV record present", async () => {
    const tenant = await createTenant();
    const repo = new UsersRepo(database(env.DB));
    const record = newUserRecord({ applicationId: tenant.applicationId, email: { email: "a@example.com", verified: true } });
    await repo.commit(repo.insertStatements(record));
    const issued = await createSession(stores(), tenant.applicationId, DEFAULT_PLATFORM_CONFIG.session_config, record.id, client);
    const valid = await validateSession(stores(), tenant.applicationId, issued.token);
    expect(valid?.userId).toBe(record.id);
    // Another application never accepts it.
    const other = await createTenant();
    expect(await validateSession(stores(), other.applicationId, issued.token)).toBeUndefined();
    // A changed secret is refused.
    const tampered = issued.token.slice(0, -1) + (issued.token.endsWith("A") ? "B" : "A");
    expect(await validateSession(stores(), tenant.applicationId, tampered)).toBeUndefined();
    expect(await endAllSessions(stores(), tenant.applicationId, record.id)).toEqual([issued.sessionId]);
    const kvKeys = await env.SESSIONS_KV.list({ prefix: `session:${tenant.applicationId}:` });
    expect(kvKeys.keys.length).toBe(1);
    expect(await validateSession(stores(), tenant.applicationId, issued.token)).toBeUndefined();
  });
});
