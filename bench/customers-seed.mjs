// The platform customers data set (issue 7): its own company, application and platform client, and
// `count` customers with a verified primary email and phone, inserted straight into the local D1 file
// (the search index is filled by the same triggers that serve the API). Plus the searches the
// benches make for random real customers. Used by bench/seed.mjs, bench/run.mjs, bench/customers.mjs.
import { createHash } from "node:crypto";

export const CUSTOMERS_TENANT = {
  company: "bench-co",
  application: "00000000000000000000b001",
  client: "bench-client",
  secret: "bench-client-secret",
};

const ROWS_PER_STATEMENT = 1000;

const FIRST = ["Aarav", "Vivaan", "Aditya", "Vihaan", "Arjun", "Sai", "Reyansh", "Ayaan", "Krishna", "Ishaan", "Ananya", "Diya", "Aadhya", "Saanvi", "Pari", "Anika", "Navya", "Myra", "Sara", "Ira", "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen", "Priya", "Rahul", "Neha", "Rohan", "Kavya", "Aryan", "Meera", "Kabir", "Tara", "Dev"];
const LAST = ["Sharma", "Verma", "Gupta", "Singh", "Kumar", "Patel", "Shah", "Mehta", "Joshi", "Iyer", "Nair", "Reddy", "Rao", "Das", "Bose", "Sen", "Ghosh", "Mukherjee", "Chopra", "Kapoor", "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Taylor", "Thomas", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Clark", "Lewis", "Robinson", "Walker", "Young"];
const DOMAINS = ["gmail.com", "yahoo.co.in", "outlook.com", "example.com", "shop.in", "mail.net", "fynd.test"];

/**
 * Deterministic customer i: the same data on every run, so scenarios can pick real targets. Ids start
 * with c/d/f (user/email/phone) so they never collide with the attribute data set's (bench/attributes-seed.mjs).
 */
export function customer(i) {
  const first = FIRST[i % FIRST.length];
  const last = LAST[Math.floor(i / FIRST.length) % LAST.length];
  const email = `${first}.${last}${i}@${DOMAINS[i % DOMAINS.length]}`.toLowerCase();
  const national = `9${String(i).padStart(9, "0")}`;
  const hex = i.toString(16).padStart(23, "0");
  return {
    id: `c${hex}`,
    emailId: `d${hex}`,
    phoneId: `f${hex}`,
    first,
    last,
    email,
    national,
    e164: `+91${national}`,
    createdAt: new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString(),
  };
}

/**
 * Writes the tenant and `count` customers straight into the local D1 file `db` (a node:sqlite
 * DatabaseSync, inside the caller's transaction), 1000 rows per statement. The search index is
 * filled by the migrations' triggers, the same ones that serve the API.
 */
export function seedCustomers(db, count) {
  const { company, application, client, secret } = CUSTOMERS_TENANT;
  const sha = (s) => createHash("sha256").update(s).digest("hex");
  const now = "2024-01-01T00:00:00.000Z";
  db.prepare("INSERT OR IGNORE INTO companies (id, name, created_at) VALUES (?, 'Bench Co', ?)").run(company, now);
  db.prepare(
    "INSERT OR IGNORE INTO applications (id, company_id, name, token_hash, config, config_version, created_at, updated_at) VALUES (?, ?, 'Bench Store', ?, '{}', 0, ?, ?)",
  ).run(application, company, sha("bench-app-token"), now, now);
  db.prepare("INSERT OR IGNORE INTO platform_clients (client_id, company_id, secret_hash, name, active, created_at) VALUES (?, ?, ?, 'Bench client', 1, ?)").run(
    client,
    company,
    sha(secret),
    now,
  );
  // Many rows per statement: each statement with a trigger into the FTS5 index opens a savepoint,
  // and FTS5 flushes its pending terms at every savepoint, so row-at-a-time inserts cost ≈ 10× more.
  const from = "from json_each(?) j";
  const user = db.prepare(
    `insert into users (id, application_id, username, first_name, last_name, meta, created_at, updated_at)
     select j.value ->> 'id', '${application}', j.value ->> 'username', j.value ->> 'first', j.value ->> 'last', '{}', j.value ->> 'createdAt', j.value ->> 'createdAt' ${from}`,
  );
  const email = db.prepare(
    `insert into user_emails (id, user_id, application_id, email, is_primary, verified, active, created_at)
     select j.value ->> 'emailId', j.value ->> 'id', '${application}', j.value ->> 'email', 1, 1, 1, j.value ->> 'createdAt' ${from}`,
  );
  const phone = db.prepare(
    `insert into user_phones (id, user_id, application_id, country_code, phone, e164, is_primary, verified, active, created_at)
     select j.value ->> 'phoneId', j.value ->> 'id', '${application}', 91, j.value ->> 'national', j.value ->> 'e164', 1, 1, 1, j.value ->> 'createdAt' ${from}`,
  );
  for (let start = 0; start < count; start += ROWS_PER_STATEMENT) {
    const people = [];
    for (let i = start; i < Math.min(count, start + ROWS_PER_STATEMENT); i++) {
      const p = customer(i);
      people.push({ ...p, username: p.email.replace(/\W+/g, "_") });
    }
    const batch = JSON.stringify(people);
    for (const statement of [user, email, phone]) statement.run(batch);
  }
}

const fragment = (s, len) => {
  const at = Math.floor(Math.random() * (s.length - len + 1));
  return s.slice(at, at + len);
};

/**
 * The list and search requests of the platform customers API, each for a random real customer among
 * `count`: { name, next } where next() gives the request's `path` (after `prefix`, the application's
 * platform path) and `check`, whether the answer found something (see bench/lib.mjs). `search: true`
 * marks the searches (the mix `npm run bench` loads); the two plain list pages are not.
 */
export function customerRequests(count, prefix) {
  const pick = () => customer(Math.floor(Math.random() * count));
  const request = (path, check) => ({ path: prefix + path, check });
  return [
    { name: "list, first page (20)", next: () => request("/customers/list?page_size=20", (b) => b.items.length === Math.min(20, count)) },
    { name: "list, random deep page (20)", next: () => request(`/customers/list?page_size=20&page_no=${1 + Math.floor(Math.random() * Math.ceil(count / 20))}`, (b) => b.items.length > 0) },
    { name: "list q = part of an email (6 chars)", search: true, next: () => { const c = pick(); return request(`/customers/list?q=${encodeURIComponent(fragment(c.email.split("@")[0], 6))}`, (b) => b.page.item_total > 0); } },
    { name: "search q = part of an email (local part)", search: true, next: () => { const c = pick(); return request(`/customers/search?q=${encodeURIComponent(c.email.split("@")[0].slice(-8))}`, (b) => b.users.length > 0); } },
    { name: "search q = part of a phone (6 digits)", search: true, next: () => { const c = pick(); return request(`/customers/search?q=${fragment(c.national, 6)}`, (b) => b.users.length > 0); } },
    { name: "search q = name (first + part of last)", search: true, next: () => { const c = pick(); return request(`/customers/search?q=${encodeURIComponent(`${c.first} ${c.last.slice(0, 3)}`)}`, (b) => b.users.length > 0); } },
    { name: "search query = exact email", search: true, next: () => { const c = pick(); return request(`/customers/search?query=${encodeURIComponent(c.email)}`, (b) => b.users.length === 1); } },
    { name: "search query = exact phone", search: true, next: () => { const c = pick(); return request(`/customers/search?query=${encodeURIComponent(c.e164)}`, (b) => b.users.length === 1); } },
  ];
}
