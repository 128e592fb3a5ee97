import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { newId } from "../src/crypto/tokens";
import { database } from "../src/db/client";
import { userEmails, userPhones, users } from "../src/db/schema/users";
import { UsersRepo } from "../src/db/users-repo";
import { newUserRecord } from "../src/services/accounts/users";
import { createTenant } from "./support/tenants";

describe("UsersRepo reads", () => {
  it("returns exactly the rows drizzle reads table by table, whichever way the user is found", async () => {
    const tenant = await createTenant();
    const db = database(env.DB);
    const repo = new UsersRepo(db);
    const email = `r${newId()}@example.com`;
    const record = newUserRecord({
      applicationId: tenant.applicationId,
      firstName: "Ravi",
      email: { email, verified: true },
      phone: { countryCode: 91, phone: "9876512345", e164: "+919876512345", verified: false },
      meta: { tier: "gold", nested: { n: 1 } },
      consent: { privacy_policy: { value: true, updated_at: "2026-01-01T00:00:00.000Z" } },
      passwordHash: "pbkdf2-sha256$100000$00000000$AA$AA",
    });
    const second = { id: newId(), userId: record.id, applicationId: tenant.applicationId, email: `old-${email}`, primary: false, verified: false, active: false, createdAt: record.user.createdAt };
    await repo.commit([...repo.insertStatements(record), db.insert(userEmails).values(second)]);

    const expected = {
      user: await db.select().from(users).where(eq(users.id, record.id)).get(),
      emails: await db.select().from(userEmails).where(eq(userEmails.userId, record.id)).all(),
      phones: await db.select().from(userPhones).where(eq(userPhones.userId, record.id)).all(),
    };
    const sortById = <T extends { id: string }>(rows: T[]) => [...rows].sort((a, b) => a.id.localeCompare(b.id));
    for (const found of [
      await repo.findById(tenant.applicationId, record.id),
      await repo.findByEmail(tenant.applicationId, email),
      await repo.findByPhone(tenant.applicationId, "+919876512345"),
    ]) {
      expect(found?.user).toEqual(expected.user);
      expect(sortById(found!.emails)).toEqual(sortById(expected.emails));
      expect(found?.phones).toEqual(expected.phones);
    }
    expect(typeof expected.emails[0]?.primary).toBe("boolean");
    expect(await repo.findById((await createTenant()).applicationId, record.id)).toBeUndefined();
    expect(await repo.findByEmail(tenant.applicationId, `old-${email}`)).toBeUndefined();
  });

  it("goes straight to the user's key, never scanning an application-wide index", async () => {
    const statements: string[] = [];
    const recording = new Proxy(env.DB, {
      get(target, prop) {
        if (prop === "prepare") return (query: string) => (statements.push(query), target.prepare(query));
        const value = Reflect.get(target, prop) as unknown;
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const repo = new UsersRepo(database(recording));
    await repo.findById("app", "user");
    await repo.findByEmail("app", "a@example.com");
    await repo.findByPhone("app", "+919876543210");
    expect(statements).toHaveLength(3);
    for (const statement of statements) {
      const params = (statement.match(/\?/g) ?? []).map(() => "x");
      const plan = await env.DB.prepare(`explain query plan ${statement}`).bind(...params).all<{ detail: string }>();
      const details = plan.results.map((r) => r.detail).join("\n");
      expect(details).not.toMatch(/SCAN (users|user_emails|user_phones)\b/);
      expect(details).not.toMatch(/users_app_created_idx|users_app_external_idx/);
      expect(details).toMatch(/SEARCH users USING INDEX sqlite_autoindex_users_1 \(id=\?\)/);
      expect(details).toMatch(/SEARCH user_emails USING (COVERING )?INDEX user_emails_user_email_uq \(user_id=\?\)/);
    }
  });

  it("returns a user without contacts with empty lists", async () => {
    const tenant = await createTenant();
    const repo = new UsersRepo(database(env.DB));
    const record = newUserRecord({ applicationId: tenant.applicationId });
    await repo.commit(repo.insertStatements(record));
    const found = await repo.findById(tenant.applicationId, record.id);
    expect(found?.emails).toEqual([]);
    expect(found?.phones).toEqual([]);
  });
});
