import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { newAdmin, send, type Admin, type UserBody } from "../support/customers";

const N = 8;

/** The user as stored, in the shape a request sets it: names, and contacts with their flags. */
async function stored(applicationId: string, userId: string) {
  const user = await env.DB.prepare("select first_name, last_name, archived from users where id = ? and application_id = ?")
    .bind(userId, applicationId)
    .first<{ first_name: string; last_name: string; archived: number }>();
  const emails = await env.DB.prepare("select email, is_primary as primary_, verified, active from user_emails where user_id = ? order by email")
    .bind(userId)
    .all<{ email: string; primary_: number; verified: number; active: number }>();
  const phones = await env.DB.prepare("select e164, is_primary as primary_, verified, active from user_phones where user_id = ? order by e164")
    .bind(userId)
    .all<{ e164: string; primary_: number; verified: number; active: number }>();
  return {
    first_name: user!.first_name,
    last_name: user!.last_name,
    archived: !!user!.archived,
    emails: emails.results.map((e) => ({ email: e.email, primary: !!e.primary_, verified: !!e.verified, active: !!e.active })),
    phones: phones.results.map((p) => ({ phone: p.e164, primary: !!p.primary_, verified: !!p.verified, active: !!p.active })),
  };
}

/** What a request sets, in the same shape (lists sorted as stored). */
function intended(body: UpdateBody) {
  return {
    first_name: body.first_name,
    last_name: body.last_name,
    archived: false,
    emails: body.emails.map((e) => ({ email: e.email, primary: e.primary, verified: e.verified, active: true })).sort((a, b) => a.email.localeCompare(b.email)),
    phones: body.phone_numbers.map((p) => ({ phone: `+91${p.phone}`, primary: p.primary, verified: p.verified, active: true })).sort((a, b) => a.phone.localeCompare(b.phone)),
  };
}

/** The invariants of the users tables for one application, whatever happened. */
async function invariantViolations(applicationId: string): Promise<unknown[]> {
  const queries = [
    // At most one primary email / phone per user (also a unique index).
    "select user_id, 'primary emails' as what, count(*) as n from user_emails where is_primary = 1 and user_id in (select id from users where application_id = ?1) group by user_id having n > 1",
    "select user_id, 'primary phones' as what, count(*) as n from user_phones where is_primary = 1 and user_id in (select id from users where application_id = ?1) group by user_id having n > 1",
    // A verified, active contact belongs to one user of the application.
    "select email as value, count(*) as n from user_emails where verified = 1 and active = 1 and user_id in (select id from users where application_id = ?1) group by email having n > 1",
    "select e164 as value, count(*) as n from user_phones where verified = 1 and active = 1 and user_id in (select id from users where application_id = ?1) group by e164 having n > 1",
    // A live user keeps at least one active contact.
    `select id, 'no active contact' as what from users u where application_id = ?1 and archived = 0
       and not exists (select 1 from user_emails e where e.user_id = u.id and e.active = 1)
       and not exists (select 1 from user_phones p where p.user_id = u.id and p.active = 1)`,
    // An archived user's contacts no longer count (they can register again).
    `select id, 'archived with active contacts' as what from users u where application_id = ?1 and archived = 1
       and (exists (select 1 from user_emails e where e.user_id = u.id and e.active = 1) or exists (select 1 from user_phones p where p.user_id = u.id and p.active = 1))`,
  ];
  const results = await env.DB.batch(queries.map((q) => env.DB.prepare(q).bind(applicationId)));
  return results.flatMap((r) => r.results);
}

interface UpdateBody {
  first_name: string;
  last_name: string;
  emails: { email: string; primary: boolean; verified: boolean }[];
  phone_numbers: { phone: string; country_code: string; primary: boolean; verified: boolean }[];
}

const EMAILS = ["a@example.com", "b@example.com", "c@example.com", "d@example.com", "shared@example.com"];
const PHONES = ["9876500001", "9876500002", "9876500003", "9876500004"];

/** A whole-list update: distinct contacts from small pools (so requests overlap), exactly one primary of each kind. */
const updateBody = (i: number) =>
  fc
    .record({
      emails: fc.uniqueArray(fc.constantFrom(...EMAILS), { minLength: 1, maxLength: 3 }),
      phones: fc.uniqueArray(fc.constantFrom(...PHONES), { minLength: 1, maxLength: 2 }),
      verified: fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
    })
    .map(({ emails, phones, verified }): UpdateBody => ({
      first_name: `First-${i}`,
      last_name: `Last-${i}`,
      emails: emails.map((email, k) => ({ email, primary: k === 0, verified: verified[k]! })),
      phone_numbers: phones.map((phone, k) => ({ phone, country_code: "91", primary: k === 0, verified: verified[k + 3]! })),
    }));

const update = (admin: Admin, userId: string, body: unknown) => admin.api(`/customers/${userId}`, send("PUT", body));

describe("concurrent platform updateUser on one user", () => {
  it(`${N} whole-profile updates at once: the result is one of them, whole, and the invariants hold`, async () => {
    const admin = await newAdmin();
    // Another user holding a verified contact from the pools: updates that claim it must be refused.
    await admin.createUser({ email: "shared@example.com" });
    const user = await admin.createUser({ email: "start@example.com", first_name: "Start" });
    await fc.assert(
      fc.asyncProperty(fc.tuple(...Array.from({ length: N }, (_, i) => updateBody(i))), async (bodies) => {
        const responses = await Promise.all(bodies.map((b) => update(admin, user._id, b)));
        const succeeded = bodies.filter((_, i) => responses[i]!.status === 200);
        for (const res of responses) expect([200, 409]).toContain(res.status);
        expect(await invariantViolations(admin.tenant.applicationId)).toEqual([]);
        const now = await stored(admin.tenant.applicationId, user._id);
        // Last writer wins, whole: the stored user is exactly what one successful request set.
        expect(succeeded.map(intended)).toContainEqual(now);
      }),
      { numRuns: 4 },
    );
  });

  it("emptying the emails and emptying the phones at once never leaves the user without a contact", async () => {
    for (let round = 0; round < 5; round++) {
      const admin = await newAdmin();
      const user = await admin.createUser({ email: `both-${round}@example.com`, phone_number: `+9198765${String(10000 + round)}` });
      const [noEmails, noPhones] = await Promise.all([
        update(admin, user._id, { emails: [] }),
        update(admin, user._id, { phone_numbers: [] }),
      ]);
      // Whichever goes second is refused (400 when it saw the first, 409 when they overlapped): together they would leave nothing.
      const statuses = [noEmails.status, noPhones.status].sort();
      expect(statuses[0]).toBe(200);
      expect([400, 409]).toContain(statuses[1]);
      expect(await invariantViolations(admin.tenant.applicationId)).toEqual([]);
    }
  });

  it("an update racing an archive never brings the archived user's contacts back", async () => {
    for (let round = 0; round < 5; round++) {
      const admin = await newAdmin();
      const user = await admin.createUser({ email: `arch-${round}@example.com` });
      const [updated, archived] = await Promise.all([
        update(admin, user._id, { first_name: "Late", emails: [{ email: `arch-${round}@example.com`, primary: true, verified: true }] }),
        admin.api("/customers/archive", send("PUT", { user_id: user._id })),
      ]);
      expect(archived.status).toBe(200);
      expect([200, 409]).toContain(updated.status);
      expect(await invariantViolations(admin.tenant.applicationId)).toEqual([]);
      // The archived account's email is free: a new account can take it.
      const again = await admin.api("/customers", send("POST", { email: `arch-${round}@example.com` }));
      expect(again.status).toBe(200);
    }
  });

  it("two users claiming the same verified email at once: exactly one gets it", async () => {
    for (let round = 0; round < 5; round++) {
      const admin = await newAdmin();
      const [a, b] = (await Promise.all([admin.createUser({ email: `a-${round}@example.com` }), admin.createUser({ email: `b-${round}@example.com` })])) as [UserBody, UserBody];
      const claim = (u: UserBody) => update(admin, u._id, { emails: [{ email: `prize-${round}@example.com`, primary: true, verified: true }] });
      const statuses = (await Promise.all([claim(a), claim(b)])).map((r) => r.status).sort();
      expect(statuses).toEqual([200, 409]);
      expect(await invariantViolations(admin.tenant.applicationId)).toEqual([]);
    }
  });
});
