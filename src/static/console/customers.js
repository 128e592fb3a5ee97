// Customers: search and list with paging, a customer's detail (contacts, status, sessions, timeline,
// attributes, groups) and the admin actions (create, edit, block/unblock, archive, undelete, sessions).
import { api } from "./api.js";
import { resetActions } from "./resets.js";
import { attempt, card, fill, badge, dateTime, errorPanel, field, formOf, h, pager, pageTitle, showError, table, toast } from "./ui.js";

const PAGE_SIZE = 20;

export const displayName = (u) => `${u.first_name ?? ""} ${u.last_name ?? ""}`.trim() || u.username || u.user_id;
const primaryEmail = (u) => (u.emails.find((e) => e.primary) ?? u.emails[0])?.email;
const primaryPhone = (u) => {
  const p = u.phone_numbers.find((n) => n.primary) ?? u.phone_numbers[0];
  return p ? `+${p.country_code} ${p.phone}` : undefined;
};

export function statusBadges(u) {
  return [
    u.active === false ? badge("blocked", "bad") : badge("active", "good"),
    u.archive ? badge("archived", "warn") : null,
    u.deleted_on ? badge(`deletion requested ${dateTime(u.deleted_on)}`, "warn") : null,
  ];
}

/** Rows of customers as the list, search, group and filter results show them. */
export function customerTable(caption, users) {
  return table(caption, ["Name", "Email", "Phone", "Status", "Created"], users.map((u) => [
    h("a", { href: `#/customers/${encodeURIComponent(u.user_id)}` }, displayName(u)),
    primaryEmail(u),
    primaryPhone(u),
    h("span", { class: "badges" }, statusBadges(u)),
    dateTime(u.created_at),
  ]));
}

async function loadPage(q, pageNo) {
  if (!q) {
    const { items, page } = await api("GET", "/customers/list", { query: { page_no: pageNo, page_size: PAGE_SIZE } });
    return { users: items, page };
  }
  // searchUsers matches names, emails, phones and ids; it answers the best 50, paged here.
  const { users } = await api("GET", "/customers/search", { query: { q } });
  const start = (pageNo - 1) * PAGE_SIZE;
  return {
    users: users.slice(start, start + PAGE_SIZE),
    page: { current: pageNo, size: PAGE_SIZE, item_total: users.length, has_next: start + PAGE_SIZE < users.length },
    capped: users.length >= 50,
  };
}

export async function customersPage(el, params) {
  const q = params.get("q") ?? "";
  const pageNo = Math.max(1, Number(params.get("page")) || 1);
  const go = (query, page) => {
    const next = `#/customers?${new URLSearchParams({ ...(query ? { q: query } : {}), page: String(page) })}`;
    // The same search again still runs (the hash alone would not change).
    if (location.hash === next) window.dispatchEvent(new HashChangeEvent("hashchange"));
    else location.hash = next;
  };
  const results = h("div", { "aria-live": "polite" });
  const panel = errorPanel();

  const search = formOf({ role: "search", class: "inline", "aria-label": "Customer search" }, [
    field("Search customers", h("input", { name: "q", type: "search", value: q, placeholder: "name, email, phone or id", autocomplete: "off" })),
    h("button", { type: "submit" }, "Search"),
  ], ({ q: query }) => go(query.trim(), 1));

  el.append(pageTitle("Customers"), search, createForm(), panel, results);
  await attempt(panel, null, async () => {
    const { users, page, capped } = await loadPage(q, pageNo);
    fill(results,
      customerTable(q ? `Customers matching “${q}”` : "All customers, newest first", users),
      pager(page, (n) => go(q, n), "customers"),
      ...(capped ? [h("p", { class: "hint" }, "Search answers the 50 best matches; narrow the search to see others.")] : []),
    );
  });
}

function createForm() {
  const form = formOf({ "aria-labelledby": "new-customer-title" }, [
    h("div", { class: "row" },
      field("First name", h("input", { name: "first_name", autocomplete: "off" })),
      field("Last name", h("input", { name: "last_name", autocomplete: "off" }))),
    field("Email", h("input", { name: "email", type: "email", autocomplete: "off" })),
    h("div", { class: "row" },
      field("Country code", h("input", { name: "country_code", value: "91", inputmode: "numeric", class: "short" })),
      field("Phone", h("input", { name: "phone_number", type: "tel", autocomplete: "off" }))),
    h("label", { class: "check" }, h("input", { type: "checkbox", name: "verified", checked: true }), "Mark the email and phone verified"),
    h("button", { type: "submit" }, "Create customer"),
  ], async (v) => {
    const body = Object.fromEntries(Object.entries(v).filter(([k, value]) => k !== "verified" && value.trim() !== ""));
    if (!body.phone_number) delete body.country_code;
    const { user } = await api("POST", "/customers", { query: { verified: v.verified === "on" ? "true" : "false" }, body });
    toast(`Created ${displayName(user)}.`);
    location.hash = `#/customers/${encodeURIComponent(user.user_id)}`;
  });
  return h("details", { class: "card" }, h("summary", { id: "new-customer-title" }, "New customer"), form);
}

async function findCustomer(id) {
  const { users } = await api("GET", "/customers/search", { query: { q: id } });
  const user = users.find((u) => u.user_id === id);
  if (!user) throw Object.assign(new Error(`No customer ${id} in this application`), { status: 404 });
  return user;
}

export async function customerPage(el, id) {
  const panel = errorPanel();
  el.append(h("p", {}, h("a", { href: "#/customers" }, "← Customers")), panel);
  const user = await attempt(panel, null, () => findCustomer(id));
  if (!user) {
    el.prepend(pageTitle("Customer not found"));
    return;
  }
  const reload = () => window.dispatchEvent(new HashChangeEvent("hashchange"));
  const sessions = sessionsSection(user);
  const sections = [timelineSection(user), attributesSection(user), groupsSection(user), resetActions(user)];
  el.append(
    pageTitle(displayName(user)),
    h("p", { class: "badges" }, statusBadges(user), h("span", { class: "hint" }, ` id ${user.user_id}`)),
    h("div", { class: "detail-grid" }, contacts(user), actions(user, reload)),
    sessions.el,
    h("div", { class: "detail-grid" }, editForm(user, reload), sections.map((s) => s.el)),
  );
  sections.push(sessions);
  await Promise.all(sections.map((s) => s.load?.()));
}

function actions(user, reload) {
  const panel = errorPanel();
  const reason = h("input", { name: "reason", value: "", placeholder: "optional", autocomplete: "off" });
  const act = (label, run, kind = "secondary") =>
    h("button", { type: "button", class: kind, onclick: (e) => attempt(panel, e.currentTarget, async () => {
      await run();
      toast(`${label}: done.`);
      reload();
    }) }, label);
  const buttons = [
    user.active === false
      ? act("Unblock", () => api("PUT", "/customers/activation", { body: { status: true, user_id: [user.user_id], reason: reason.value || undefined } }))
      : act("Block", () => api("PUT", "/customers/activation", { body: { status: false, user_id: [user.user_id], reason: reason.value || undefined } }), "danger"),
    user.archive ? null : act("Archive", async () => {
      if (!confirm(`Archive ${displayName(user)}? Their sessions end and their email/phone can register again.`)) throw new Error("Archive cancelled");
      await api("PUT", "/customers/archive", { body: { user_id: user.user_id } });
    }, "danger"),
    user.deleted_on ? act("Undelete", () => api("PUT", "/customers/undelete", { body: { user_id: user.user_id, reason: reason.value || undefined } })) : null,
  ];
  return card("actions-title", "Account",
    field("Reason (kept in the timeline)", reason),
    h("div", { class: "buttons" }, buttons),
    panel);
}

function contacts(user) {
  const flags = (c) => [c.primary ? badge("primary", "info") : null, c.verified ? badge("verified", "good") : badge("not verified", "warn")];
  const items = [
    ...user.emails.map((e) => h("li", {}, h("span", { class: "contact" }, e.email), flags(e))),
    ...user.phone_numbers.map((p) => h("li", {}, h("span", { class: "contact" }, `+${p.country_code} ${p.phone}`), flags(p))),
  ];
  return card("contacts-title", "Contacts",
    items.length ? h("ul", { class: "contacts" }, items) : h("p", {}, "No email or phone."),
    h("dl", { class: "facts" },
      h("dt", {}, "Gender"), h("dd", {}, user.gender ?? "—"),
      h("dt", {}, "Date of birth"), h("dd", {}, user.dob ? user.dob.slice(0, 10) : "—"),
      h("dt", {}, "External id"), h("dd", {}, user.external_id ?? "—"),
      h("dt", {}, "Password"), h("dd", {}, user.has_password ? "set" : "none"),
      h("dt", {}, "Created"), h("dd", {}, dateTime(user.created_at))));
}

function editForm(user, reload) {
  const input = (name, value, attrs = {}) => h("input", { name, value: value ?? "", autocomplete: "off", ...attrs });
  const form = formOf({ "aria-labelledby": "edit-title" }, [
    h("div", { class: "row" }, field("First name", input("first_name", user.first_name)), field("Last name", input("last_name", user.last_name))),
    h("div", { class: "row" },
      field("Gender", input("gender", user.gender)),
      field("Date of birth", input("dob", user.dob?.slice(0, 10), { type: "date" }))),
    field("External id", input("external_id", user.external_id)),
    h("button", { type: "submit" }, "Save changes"),
  ], async (v) => {
    const body = {
      first_name: v.first_name.trim(),
      last_name: v.last_name.trim(),
      gender: v.gender.trim() || null,
      dob: v.dob || null,
      external_id: v.external_id.trim() || null,
    };
    await api("PUT", `/customers/${encodeURIComponent(user.user_id)}`, { body });
    toast("Saved.");
    reload();
  });
  return h("details", { class: "card" }, h("summary", { id: "edit-title" }, "Edit profile"), form);
}

function sessionsSection(user) {
  const panel = errorPanel();
  const body = h("div");
  const reason = h("input", { name: "reason", value: "Revoked in the console", autocomplete: "off" });
  const el = card("sessions-title", "Sessions", field("Reason for revoking", reason), body, panel);
  const uid = user.user_id;
  async function load() {
    const { items } = await api("GET", "/customers/sessions", { query: { id: uid } });
    fill(body,
      table("!Active sessions", ["Device", "IP", "Domain", "Last seen", "Expires", ""], items.map((s) => [
        s.user_agent, s.ip, s.domain, dateTime(s.last_seen), dateTime(s.expire_in),
        h("button", { type: "button", class: "danger", "aria-label": `Revoke session ${s.session_id}`, onclick: (e) => attempt(panel, e.currentTarget, async () => {
          await api("DELETE", "/customers/session", { query: { id: uid, session_id: s.session_id, reason: reason.value || "Revoked in the console" } });
          toast("Session revoked.");
          await load();
        }) }, "Revoke"),
      ])),
      items.length ? h("button", { type: "button", class: "danger", onclick: (e) => attempt(panel, e.currentTarget, async () => {
        const { session_ids } = await api("DELETE", "/customers/sessions", { query: { id: uid, reason: reason.value || "Revoked in the console" } });
        toast(`${session_ids.length} session(s) revoked.`);
        await load();
      }) }, "Revoke all sessions") : null,
    );
  }
  return { el, load: () => attempt(panel, null, load) };
}

function timelineSection(user) {
  const panel = errorPanel();
  const list = h("ol", { class: "timeline" });
  const el = card("timeline-title", "Timeline", list, panel);
  return {
    el,
    load: () => attempt(panel, null, async () => {
      const { timeline, delete_on } = await api("GET", `/customers/${encodeURIComponent(user.user_id)}/timeline`);
      fill(list, timeline.slice().reverse().map((t) =>
        h("li", {}, h("time", { datetime: t.date }, dateTime(t.date)), " ", h("strong", {}, t.title), t.sub_title ? ` — ${t.sub_title}` : "")));
      if (!timeline.length) list.replaceChildren(h("li", {}, "No events."));
      if (delete_on) list.before(h("p", {}, badge(`erased on ${dateTime(delete_on)} unless undeleted`, "warn")));
    }),
  };
}

const showValue = (v) => (Array.isArray(v) ? v.join(", ") : typeof v === "object" && v !== null ? JSON.stringify(v) : String(v));

function attributesSection(user) {
  const panel = errorPanel();
  const body = h("div");
  const el = card("attributes-title", "Attributes", body, panel);
  return {
    el,
    load: () => attempt(panel, null, async () => {
      const [{ items }, defs] = await Promise.all([
        api("GET", `/user_attribute/user/${encodeURIComponent(user.user_id)}`, { query: { page_size: 100 } }),
        api("GET", "/user_attribute/definition", { query: { page_size: 100 } }),
      ]);
      const byId = new Map(defs.items.map((d) => [d._id, d]));
      body.replaceChildren(table("!Attribute values", ["Attribute", "Value", "Updated"], items.map((a) => [
        byId.get(a.user_attribute_definition_id)?.name ?? a.name, showValue(a.attribute.value), dateTime(a.updated_at),
      ])));
    }),
  };
}

/**
 * The groups the customer is in. The API has no "groups of a user" call: a group's members are asked
 * for with the customer's filter (bulk groups: their member pages; at most the first 100 groups).
 */
function groupsSection(user) {
  const panel = errorPanel();
  const list = h("ul", { class: "chips" });
  const el = card("groups-title", "Groups", list, panel);
  return {
    el,
    load: () => attempt(panel, null, async () => {
      const { items } = await api("GET", "/user_group", { query: { page_size: 100 } });
      const memberships = await Promise.all(items.map(async (g) => ((await isMember(g, user.user_id)) ? g : null)));
      const mine = memberships.filter(Boolean);
      fill(list, (mine.length ? mine.map((g) => h("li", {}, badge(g.name, "info"))) : [h("li", {}, "In no group.")]));
    }),
  };
}

async function isMember(group, userId) {
  for (let page = 1; page <= 20; page++) {
    const { items, page: info } = await api("GET", `/user_group/${encodeURIComponent(group._id)}/members`, { query: { page_no: page, page_size: 100 } });
    if (items.some((u) => u.user_id === userId)) return true;
    if (!info.has_next) return false;
  }
  return false;
}
