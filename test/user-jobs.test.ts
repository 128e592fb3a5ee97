import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import worker from "../src/index";
import { call, expectError, json } from "./support/http";
import { adminHeaders, createTenant, type Tenant } from "./support/tenants";
import { createCustomer, defineAttribute, download, setAttribute, uploadCsv, waitForJob, type Job } from "./support/attributes";

afterEach(() => {
  vi.restoreAllMocks();
});

async function admin() {
  const tenant = await createTenant();
  return { tenant, headers: await adminHeaders(tenant) };
}

async function startImport(tenant: Tenant, headers: Record<string, string>, links: { absolute_url: string; relative_url: string }) {
  const res = await call(`${tenant.plat}/users/jobs/import`, json({ ...links, file_format: "CSV" }, { method: "POST", headers }));
  if (res.status !== 200) throw new Error(`import: ${res.status} ${await res.text()}`);
  return (await res.json()) as Job;
}

async function importCsv(tenant: Tenant, headers: Record<string, string>, csv: string): Promise<Job> {
  const started = await startImport(tenant, headers, await uploadCsv(tenant, headers, csv));
  expect(started.status).toBe("inprogress");
  return waitForJob(tenant, headers, started._id);
}

async function exportCsv(tenant: Tenant, headers: Record<string, string>): Promise<{ job: Job; csv: string }> {
  const res = await call(`${tenant.plat}/users/jobs/export`, json({ file_format: "csv" }, { method: "POST", headers }));
  const job = await waitForJob(tenant, headers, ((await res.json()) as Job)._id);
  expect(job.status).toBe("complete");
  return { job, csv: await download(headers, job.links.file!.relative_url) };
}

interface Customer {
  _id: string;
  first_name: string;
  last_name: string;
  dob?: string;
  emails: { email: string; primary: boolean; verified: boolean }[];
  phone_numbers: { phone: string; country_code: string; primary: boolean }[];
  attributes: { name: string; attribute: { value: unknown } }[];
}

/** Every customer of a tenant with every attribute value, through the filter API. */
async function customers(tenant: Tenant, headers: Record<string, string>): Promise<Customer[]> {
  const defs = (await (await call(`${tenant.plat}/user_attribute/definition?page_size=100`, { headers })).json()) as { items: { _id: string }[] };
  const res = await call(
    `${tenant.plat}/user_attribute/users`,
    json({ query: { type: "and", limit: 100, page: 1, conditions: [], definition_ids: defs.items.map((d) => d._id) } }, { method: "POST", headers }),
  );
  return ((await res.json()) as { items: Customer[] }).items;
}

/** A comparable view of a customer: identity, profile, attribute values by name. */
function view(c: Customer) {
  return {
    email: c.emails.find((e) => e.primary)?.email ?? null,
    phone: c.phone_numbers.find((p) => p.primary) ? `+${c.phone_numbers[0]!.country_code}${c.phone_numbers[0]!.phone}` : null,
    first_name: c.first_name,
    last_name: c.last_name,
    dob: c.dob ?? null,
    attributes: Object.fromEntries(c.attributes.map((a) => [a.name, a.attribute.value])),
  };
}

const byIdentity = (a: ReturnType<typeof view>, b: ReturnType<typeof view>) => `${a.email}${a.phone}`.localeCompare(`${b.email}${b.phone}`);

async function defineStandardAttributes(tenant: Tenant, headers: Record<string, string>) {
  return {
    age: await defineAttribute(tenant, headers, { name: "age", slug: "age", type: "number", validations: [{ type: "min", value: 0 }] }),
    tags: await defineAttribute(tenant, headers, { name: "tags", slug: "tags", type: "string", is_multi_value: true }),
    pan: await defineAttribute(tenant, headers, { name: "pan", slug: "pan", type: "string", encrypted: true }),
    prefs: await defineAttribute(tenant, headers, { name: "prefs", slug: "prefs", type: "json" }),
    since: await defineAttribute(tenant, headers, { name: "since", slug: "since", type: "date" }),
  };
}

describe("customer import", () => {
  it("commits good rows and reports bad ones, with exact counts and nothing half-written", async () => {
    const { tenant, headers } = await admin();
    await defineStandardAttributes(tenant, headers);
    const existing = await createCustomer(tenant, { email: "existing@example.com", firstName: "Old" });
    const csv = [
      "Email,Phone_Number,First_Name,Last_Name,DOB,attribute:age,attribute:tags",
      "ann@example.com,+919800000001,Ann,Lée,1990-01-02,30,a|b",
      "bad-email,,,,,,",
      "ben@example.com,,Ben,,,notanumber,",
      ",+919800000002,Cät 🐈,,,,",
      "dan@example.com,,Dan,,31-12-1990,,",
      "EXISTING@example.com,,Updated,,,40,",
      ",,NoContact,,,,",
      "ann@example.com,+919800000002,Clash,,,,",
      "ann@example.com,,Annie,,,31,",
      'fay@example.com,,"Fay, Jr.",,,,"[""x"",""y|z""]"',
    ].join("\r\n");
    const job = await importCsv(tenant, headers, csv);
    expect(job).toMatchObject({ status: "partial", count: { total: 10, success: 5, error: 5 } });

    const people = (await customers(tenant, headers)).map(view).sort(byIdentity);
    expect(people).toEqual(
      [
        { email: "ann@example.com", phone: "+919800000001", first_name: "Annie", last_name: "Lée", dob: "1990-01-02", attributes: { age: 31, tags: ["a", "b"] } },
        { email: null, phone: "+919800000002", first_name: "Cät 🐈", last_name: "", dob: null, attributes: {} },
        { email: "existing@example.com", phone: null, first_name: "Updated", last_name: "", dob: null, attributes: { age: 40 } },
        { email: "fay@example.com", phone: null, first_name: "Fay, Jr.", last_name: "", dob: null, attributes: { tags: ["x", "y|z"] } },
      ].sort(byIdentity),
    );
    // The update kept the customer; rejected rows left nothing behind (Ben's contact was valid, his age was not).
    expect(people.length).toBe(4);
    const ids = (await env.DB.prepare("select id from users where application_id = ?").bind(tenant.applicationId).all<{ id: string }>()).results.map((r) => r.id);
    expect(ids).toContain(existing);
    const ben = await env.DB.prepare("select count(*) as n from user_emails where application_id = ? and email = ?").bind(tenant.applicationId, "ben@example.com").first<{ n: number }>();
    expect(ben!.n).toBe(0);

    const report = await download(headers, job.links.error!.relative_url);
    expect(report.trim().split("\n")).toEqual([
      "row,email,phone_number,first_name,last_name,dob,attribute:age,attribute:tags,error",
      "3,bad-email,,,,,,,email: not an email address",
      '4,ben@example.com,,Ben,,,notanumber,,"Attribute ""age"" must be a number (rule: type)"',
      "6,dan@example.com,,Dan,,31-12-1990,,,dob: must be a date like 1990-05-31",
      "8,,,NoContact,,,,,needs an email or a phone_number",
      // Cells starting like a formula (a +phone too) get a leading ' in files we write; imports strip it again.
      "9,ann@example.com,'+919800000002,Clash,,,,,email and phone_number belong to different customers",
    ]);
  });

  it("when a row's contact is claimed between lookup and write, only that row fails; the rest of its batch is written", async () => {
    const { tenant, headers } = await admin();
    // Stands in for a customer registering with this email while the import runs.
    await env.DB.prepare(
      "create trigger claim_race before insert on user_emails when new.email = 'raced@example.com' begin select raise(abort, 'UNIQUE constraint failed: user_emails.application_id, user_emails.email'); end",
    ).run();
    try {
      const job = await importCsv(tenant, headers, "email,first_name\nok1@example.com,A\nraced@example.com,B\nok2@example.com,C\n");
      expect(job).toMatchObject({ status: "partial", count: { total: 3, success: 2, error: 1 } });
      const report = await download(headers, job.links.error!.relative_url);
      expect(report.trim().split("\n")).toEqual(["row,email,first_name,error", "3,raced@example.com,B,email already belongs to another customer"]);
      const names = await env.DB.prepare("select first_name from users where application_id = ? order by first_name").bind(tenant.applicationId).all<{ first_name: string }>();
      expect(names.results.map((r) => r.first_name)).toEqual(["A", "C"]);
    } finally {
      await env.DB.prepare("drop trigger claim_race").run();
    }
  });

  it("fails the whole job for a file it cannot read (unknown columns, no contact column, empty), without writing", async () => {
    const { tenant, headers } = await admin();
    for (const [csv, message] of [
      ["email,frist_name\na@example.com,A\n", /Unknown columns: frist_name/],
      ["email,attribute:nope\na@example.com,1\n", /Unknown columns: attribute:nope/],
      ["first_name\nA\n", /needs an email or phone_number column/],
      ['email,first_name\na@example.com,"unterminated\n', /quoted field is not closed/],
    ] as const) {
      const job = await importCsv(tenant, headers, csv);
      expect(job.status, csv).toBe("failed");
      expect(job.message).toMatch(message);
      expect(job.count).toEqual({ total: 0, success: 0, error: 0 });
    }
    const users = await env.DB.prepare("select count(*) as n from users where application_id = ?").bind(tenant.applicationId).first<{ n: number }>();
    expect(users!.n).toBe(0);
    const headerOnly = await importCsv(tenant, headers, "\uFEFFemail,first_name\n");
    expect(headerOnly).toMatchObject({ status: "complete", count: { total: 0, success: 0, error: 0 } });
  });

  it("imports from an external URL (copied into a file first) and refuses unusable requests", async () => {
    const { tenant, headers } = await admin();
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input) => {
      const url = String(input instanceof Request ? input.url : input);
      return url === "https://cdn.example/users.csv" ? new Response("email,first_name\nzoe@example.com,Zoe\n") : new Response("", { status: 404 });
    });
    const started = await startImport(tenant, headers, { absolute_url: "https://cdn.example/users.csv", relative_url: "uploads/users.csv" });
    expect(started.file_name).toBe("users.csv");
    const job = await waitForJob(tenant, headers, started._id);
    expect(job).toMatchObject({ status: "complete", count: { total: 1, success: 1, error: 0 } });
    expect(await download(headers, job.links.file!.relative_url)).toBe("email,first_name\nzoe@example.com,Zoe\n");

    const missing = await waitForJob(tenant, headers, (await startImport(tenant, headers, { absolute_url: "https://cdn.example/gone.csv", relative_url: "gone.csv" }))._id);
    expect(missing).toMatchObject({ status: "failed", message: expect.stringContaining("HTTP 404") });

    const url = `${tenant.plat}/users/jobs/import`;
    const file = await uploadCsv(tenant, headers, "email\na@example.com\n");
    await expectError(await call(url, json({ ...file, file_format: "ods" }, { method: "POST", headers })), 400, "VALIDATION_FAILED");
    await expectError(await call(url, json({ absolute_url: "ftp://x/y.csv", relative_url: "y.csv", file_format: "csv" }, { method: "POST", headers })), 400, "FILE_UNREADABLE");
    const notThere = file.relative_url.replace(file.file_id, "0".repeat(24));
    await expectError(await call(url, json({ absolute_url: notThere, relative_url: notThere, file_format: "csv" }, { method: "POST", headers })), 404);
    const other = await admin();
    const foreign = await uploadCsv(other.tenant, other.headers, "email\nb@example.com\n");
    await expectError(await call(url, json({ ...foreign, file_format: "csv" }, { method: "POST", headers })), 404);
  });
});

describe("customer export", () => {
  it("round-trips: export → import into another application → the same customers and attributes", async () => {
    const source = await admin();
    const defs = await defineStandardAttributes(source.tenant, source.headers);
    const values: [Record<string, string>, Record<string, unknown>][] = [
      [{ email: "ann@example.com", firstName: "Ann", lastName: 'O"Neil, Jr.' }, { age: 30, tags: ["gold", "early"], pan: "ABCDE1234F", prefs: { news: true }, since: "2020-02-29" }],
      [{ phone: "+919800000003", firstName: "=HYPERLINK(1)" }, { tags: [] }],
      [{ email: "cat@example.com", phone: "+14155550123", firstName: "Cat" }, { age: 0 }],
      [{ email: "dan@example.com", firstName: "Dan" }, {}],
    ];
    for (const [who, attrs] of values) {
      const id = await createCustomer(source.tenant, who);
      for (const [slug, value] of Object.entries(attrs)) {
        expect((await setAttribute(source.tenant, source.headers, defs[slug as keyof typeof defs]._id, id, value)).status).toBe(200);
      }
    }
    const { job, csv } = await exportCsv(source.tenant, source.headers);
    expect(job.count).toEqual({ total: 4, success: 4, error: 0 });
    const lines = csv.trim().split("\n");
    expect(lines[0]).toBe(
      "user_id,first_name,last_name,email,phone_number,gender,dob,external_id,rr_id,status,created_at,attribute:age,attribute:tags,attribute:pan,attribute:prefs,attribute:since",
    );
    expect(lines).toHaveLength(5);
    // Cells a spreadsheet would run as formulas are neutralised.
    expect(csv).toContain("'=HYPERLINK(1)");
    expect(csv).toContain("'+919800000003");

    const target = await admin();
    await defineStandardAttributes(target.tenant, target.headers);
    const imported = await importCsv(target.tenant, target.headers, csv);
    expect(imported).toMatchObject({ status: "complete", count: { total: 4, success: 4, error: 0 } });
    const before = (await customers(source.tenant, source.headers)).map(view).sort(byIdentity);
    const after = (await customers(target.tenant, target.headers)).map(view).sort(byIdentity);
    expect(after).toEqual(before);
    expect(before.find((c) => c.email === "ann@example.com")!.attributes).toEqual({ age: 30, tags: ["gold", "early"], pan: "ABCDE1234F", prefs: { news: true }, since: "2020-02-29" });
    // The encrypted value is encrypted again in the target, under that application's key.
    const row = await env.DB.prepare("select value, ciphertext from user_attributes where application_id = ? and ciphertext is not null").bind(target.tenant.applicationId).first<{ value: null; ciphertext: string }>();
    expect(row!.value).toBeNull();
    expect(row!.ciphertext).not.toContain("ABCDE");
  });

  it("lists jobs with filters; files and jobs are reachable only with this application's platform auth", async () => {
    const { tenant, headers } = await admin();
    await createCustomer(tenant, { email: "a@example.com" });
    const { job } = await exportCsv(tenant, headers);
    const list = async (kind: string, query: string) => {
      const res = await call(`${tenant.plat}/users/jobs/${kind}?${query}`, { headers });
      expect(res.status, query).toBe(200);
      return ((await res.json()) as { items: { _id: string }[] }).items.map((i) => i._id);
    };
    const today = new Date().toISOString().slice(0, 10);
    expect(await list("export", "")).toEqual([job._id]);
    expect(await list("export", "status=complete&file_format=csv&search=CUSTOMERS")).toEqual([job._id]);
    expect(await list("export", `start_date=${today}&end_date=${today}`)).toEqual([job._id]);
    expect(await list("export", "end_date=2000-01-01")).toEqual([]);
    expect(await list("export", "status=failed")).toEqual([]);
    expect(await list("import", "")).toEqual([]);
    await expectError(await call(`${tenant.plat}/users/jobs/export?start_date=someday`, { headers }), 400);

    const fileUrl = job.links.file!.relative_url;
    await expectError(await call(fileUrl), 401);
    await expectError(await call(fileUrl, { headers: { authorization: "Bearer nope" } }), 401);
    const other = await admin();
    await expectError(await call(fileUrl, { headers: other.headers }), 403);
    await expectError(await call(fileUrl.replace(tenant.plat, other.tenant.plat), { headers: other.headers }), 404);
    await expectError(await call(`${other.tenant.plat}/users/jobs/${job._id}`, { headers: other.headers }), 404);
    await expectError(await call(`${tenant.plat}/users/files/not-an-id`, { headers }), 404);
    const res = await call(fileUrl, { headers });
    expect(res.headers.get("content-type")).toContain("text/csv");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="customers-\d{4}-\d{2}-\d{2}\.csv"$/);
  });

  it("uploads need a body and platform auth; they are not limited to the JSON body size", async () => {
    const { tenant, headers } = await admin();
    await expectError(await call(`${tenant.plat}/users/files`, { method: "POST", headers: { ...headers, "content-type": "text/csv" }, body: "" }), 400);
    await expectError(await call(`${tenant.plat}/users/files`, { method: "POST", headers: { "content-type": "text/csv" }, body: "email\n" }), 401);
    const big = "email\n" + Array.from({ length: 5000 }, (_, i) => `user${i}@example.com`).join("\n") + "\n";
    expect(big.length).toBeGreaterThan(64 * 1024);
    const file = await uploadCsv(tenant, headers, big);
    expect(await download(headers, file.relative_url)).toBe(big);
  });
});

describe("job queue consumer", () => {
  it("a redelivered or stale message changes nothing; a malformed one is acknowledged", async () => {
    const { tenant, headers } = await admin();
    const job = await importCsv(tenant, headers, "email\na@example.com\nb@example.com\nc@example.com\nd@example.com\n");
    expect(job).toMatchObject({ status: "complete", count: { total: 4, success: 4, error: 0 } });
    const before = await env.DB.prepare("select * from user_jobs where id = ?").bind(job._id).first();
    const batch = createMessageBatch("user-edge-jobs", [
      { id: "m1", timestamp: new Date(), attempts: 1, body: { job_id: job._id, application_id: tenant.applicationId, chunk: 0 } },
      { id: "m2", timestamp: new Date(), attempts: 2, body: { job_id: job._id, application_id: tenant.applicationId, chunk: 1 } },
      { id: "m3", timestamp: new Date(), attempts: 1, body: { nonsense: true } },
      { id: "m4", timestamp: new Date(), attempts: 1, body: { job_id: job._id, application_id: "someone-else", chunk: 0 } },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch as never, env);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks.sort()).toEqual(["m1", "m2", "m3", "m4"]);
    expect(result.retryMessages).toEqual([]);
    expect(await env.DB.prepare("select * from user_jobs where id = ?").bind(job._id).first()).toEqual(before);
    const users = await env.DB.prepare("select count(*) as n from users where application_id = ?").bind(tenant.applicationId).first<{ n: number }>();
    expect(users!.n).toBe(4);
  });
});
