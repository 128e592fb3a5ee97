// Groups and attributes: attribute definitions (list, create, edit, delete), groups with member counts
// (create bulk from a CSV or conditional from the query builder, delete), and the attribute filter as a
// small query builder showing the matching customers and their count.
import { api } from "./api.js";
import { customerTable } from "./customers.js";
import { attempt, card, fill, badge, dateTime, errorPanel, field, formOf, h, pager, pageTitle, table, toast } from "./ui.js";

const TYPES = ["string", "number", "boolean", "date", "datetime", "email", "url", "phone", "enum", "select", "json"];
const OPERATORS = [
  ["eq", "is equal to"], ["ne", "is not equal to"], ["gt", "is greater than"], ["gte", "is at least"], ["lt", "is less than"],
  ["lte", "is at most"], ["cnt", "contains"], ["nct", "does not contain"], ["sw", "starts with"], ["ew", "ends with"],
  ["btw", "is between (a, b)"], ["in", "is one of (a, b, …)"], ["nin", "is none of (a, b, …)"], ["is", "is set"], ["nis", "is not set"],
];

export async function groupsPage(el) {
  const panel = errorPanel();
  el.append(pageTitle("Groups and attributes"), panel);
  const defs = await attempt(panel, null, async () => (await api("GET", "/user_attribute/definition", { query: { page_size: 100 } })).items);
  if (!defs) return;
  const reload = () => {
    el.replaceChildren();
    groupsPage(el);
  };
  const builder = queryBuilder(defs, reload);
  el.append(definitionsSection(defs, reload), await groupsSection(reload), builder.el);
}

function definitionForm(def, done) {
  const v = def ?? { type: "string", options: [] };
  const check = (name, label) => h("label", { class: "check" }, h("input", { type: "checkbox", name, checked: v[name] === true }), label);
  return formOf({ "aria-label": def ? `Edit attribute ${def.name}` : "New attribute" }, [
    h("div", { class: "row" },
      field("Name", h("input", { name: "name", value: v.name ?? "", required: true, autocomplete: "off" })),
      field("Slug", h("input", { name: "slug", value: v.slug ?? "", required: true, autocomplete: "off" }), "Letters, digits, _ or -")),
    h("div", { class: "row" },
      field("Type", h("select", { name: "type" }, TYPES.map((t) => h("option", { value: t, selected: t === v.type }, t)))),
      field("Options", h("input", { name: "options", value: (v.options ?? []).join(", "), autocomplete: "off" }), "enum/select: comma-separated")),
    field("Description", h("input", { name: "description", value: v.description ?? "", autocomplete: "off" })),
    h("div", { class: "checks" }, check("is_multi_value", "Several values"), check("customer_editable", "Customer can edit"),
      check("encrypted", "Encrypted (not searchable)"), check("pinned", "Pinned")),
    h("button", { type: "submit" }, def ? "Save attribute" : "Create attribute"),
  ], async (form) => {
    const body = {
      name: form.name.trim(),
      slug: form.slug.trim(),
      type: form.type,
      description: form.description,
      options: form.options.split(",").map((o) => o.trim()).filter(Boolean),
      is_multi_value: form.is_multi_value === "on",
      customer_editable: form.customer_editable === "on",
      encrypted: form.encrypted === "on",
      pinned: form.pinned === "on",
    };
    if (def) {
      // Fields that cannot change once values exist are sent only when changed.
      for (const k of ["slug", "type", "is_multi_value", "encrypted"]) if (body[k] === def[k]) delete body[k];
      await api("PUT", `/user_attribute/definition/${encodeURIComponent(def._id)}`, { body });
    } else await api("POST", "/user_attribute/definition", { body });
    toast(def ? "Attribute saved." : "Attribute created.");
    done();
  });
}

function definitionsSection(defs, reload) {
  const panel = errorPanel();
  const editor = h("div");
  const flags = (d) => [d.is_multi_value && badge("multi"), d.customer_editable && badge("editable", "info"), d.encrypted && badge("encrypted", "warn"), d.pinned && badge("pinned"), d.is_locked && badge("locked", "bad")];
  return card("defs-title", "Attribute definitions",
    table("!Attribute definitions", ["Name", "Slug", "Type", "Flags", "Actions"], defs.map((d) => [
      d.name, h("code", {}, d.slug), d.type, h("span", { class: "badges" }, flags(d)),
      h("span", { class: "buttons" },
        h("button", { type: "button", class: "secondary", "aria-label": `Edit ${d.name}`, onclick: () => {
          editor.replaceChildren(h("h3", {}, `Edit ${d.name}`), definitionForm(d, reload));
          editor.querySelector("input").focus();
        } }, "Edit"),
        h("button", { type: "button", class: "danger", "aria-label": `Delete ${d.name}`, onclick: (e) => attempt(panel, e.currentTarget, async () => {
          if (!confirm(`Delete the attribute ${d.name} and every customer's value of it?`)) return;
          await api("DELETE", `/user_attribute/definition/${encodeURIComponent(d._id)}`);
          toast("Attribute deleted.");
          reload();
        }) }, "Delete")),
    ])),
    panel,
    editor,
    h("details", {}, h("summary", {}, "New attribute"), definitionForm(null, reload)));
}

async function groupsSection(reload) {
  const panel = errorPanel();
  const body = h("div");
  const el = card("groups-title", "Groups", body, panel,
    h("details", {}, h("summary", {}, "New group from a CSV of members"), bulkGroupForm(reload)));
  async function load(pageNo = 1) {
    const { items, page } = await api("GET", "/user_group", { query: { page_no: pageNo, page_size: 20 } });
    // The member count of each group is the item_total of its first members page.
    const counts = await Promise.all(items.map((g) =>
      api("GET", `/user_group/${encodeURIComponent(g._id)}/members`, { query: { page_size: 1 } }).then((m) => m.page.item_total, () => "?")));
    fill(body,
      table("!Groups", ["Name", "Type", "Status", "Members", "Created", ""], items.map((g, i) => [
        g.name, g.type, g.status, String(counts[i]), dateTime(g.created_at),
        h("button", { type: "button", class: "danger", "aria-label": `Delete group ${g.name}`, onclick: (e) => attempt(panel, e.currentTarget, async () => {
          if (!confirm(`Delete the group ${g.name}? Its customers stay.`)) return;
          await api("DELETE", `/user_group/${encodeURIComponent(g._id)}`);
          toast("Group deleted.");
          reload();
        }) }, "Delete"),
      ])),
      pager(page, (n) => attempt(panel, null, () => load(n)), "groups"),
    );
  }
  await attempt(panel, null, () => load());
  return el;
}

function bulkGroupForm(reload) {
  return formOf({ "aria-label": "New group from a CSV" }, [
    field("Name", h("input", { name: "name", required: true, autocomplete: "off" })),
    field("Description", h("input", { name: "description", autocomplete: "off" })),
    field("Members (CSV)", h("input", { name: "file", type: "file", accept: ".csv,text/csv" }), "Columns: user_id, email or phone_number, and action (add or remove)"),
    h("button", { type: "submit" }, "Create group"),
  ], async (v) => {
    const body = { name: v.name, description: v.description ?? "", type: "bulk" };
    if (v.file instanceof File && v.file.size > 0) {
      const uploaded = await api("POST", "/users/files", { query: { file_name: v.file.name }, raw: v.file, headers: { "content-type": "text/csv" } });
      body.file_url = uploaded.absolute_url;
    }
    await api("POST", "/user_group", { body });
    toast("Group created.");
    reload();
  });
}

/** Turns what was typed into the value the operator takes, typed by the attribute. */
function conditionValue(def, op, text) {
  const one = (t) => {
    const s = t.trim();
    if (def?.type === "number") return s === "" ? s : Number(s);
    if (def?.type === "boolean") return s === "true" ? true : s === "false" ? false : s;
    return s;
  };
  if (op === "in" || op === "nin" || op === "btw") return text.split(",").map(one);
  if (op === "is" || op === "nis") return true;
  return one(text);
}

function queryBuilder(defs, reload) {
  const panel = errorPanel();
  const results = h("div", { "aria-live": "polite" });
  const rows = h("ol", { class: "conditions" });
  const join = h("select", { name: "join", id: "filter-join" }, h("option", { value: "and" }, "all conditions (and)"), h("option", { value: "or" }, "any condition (or)"));
  function addRow(focus = true) {
    const n = rows.children.length + 1;
    const def = h("select", { name: "definition", "aria-label": `Condition ${n}: attribute` }, defs.map((d) => h("option", { value: d._id }, d.name)));
    const op = h("select", { name: "operator", "aria-label": `Condition ${n}: operator` }, OPERATORS.map(([v, label]) => h("option", { value: v }, label)));
    const value = h("input", { name: "value", "aria-label": `Condition ${n}: value`, autocomplete: "off" });
    const row = h("li", { class: "condition" }, def, op, value,
      h("button", { type: "button", class: "secondary", "aria-label": `Remove condition ${n}`, onclick: () => row.remove() }, "Remove"));
    rows.append(row);
    if (focus) def.focus();
  }

  function conditions() {
    return [...rows.children].map((row) => {
      const [def, op, value] = row.querySelectorAll("select, input");
      const d = defs.find((x) => x._id === def.value);
      return { definition_id: def.value, type: op.value, value: conditionValue(d, op.value, value.value) };
    });
  }

  async function run(pageNo = 1) {
    const { items, page } = await api("POST", "/user_attribute/users", {
      body: { query: { type: join.value, limit: 20, page: pageNo, conditions: conditions() } },
    });
    fill(results,
      h("p", { class: "count" }, h("strong", {}, String(page.item_total)), ` matching customer${page.item_total === 1 ? "" : "s"}`),
      customerTable("!Matching customers", items),
      pager(page, (n) => attempt(panel, null, () => run(n)), "customers"),
    );
  }

  const groupName = h("input", { name: "group_name", autocomplete: "off" });
  const saveGroup = h("button", { type: "button", class: "secondary", onclick: (e) => attempt(panel, e.currentTarget, async () => {
    if (!groupName.value.trim()) throw new Error("Name the group first");
    const conds = conditions();
    if (join.value !== "and") throw new Error("A conditional group needs all conditions to hold (and)");
    await api("POST", "/user_group", {
      body: { name: groupName.value.trim(), description: "", type: "conditional", conditions: conds.map((c) => ({ user_attribute_definition_id: c.definition_id, type: c.type, value: c.value })) },
    });
    toast("Conditional group created.");
    reload();
  }) }, "Save as conditional group");

  const form = formOf({ "aria-labelledby": "filter-title" }, [
    field("Match", join),
    rows,
    h("div", { class: "buttons" },
      h("button", { type: "button", class: "secondary", onclick: () => addRow(), disabled: defs.length === 0 }, "Add condition"),
      h("button", { type: "submit" }, "Find customers")),
  ], () => run(1));
  if (defs.length) addRow(false);
  const el = card("filter-title", "Find customers by attributes",
    defs.length ? null : h("p", { class: "hint" }, "Define an attribute first."),
    form, panel, results,
    h("div", { class: "row end" }, field("New group name", groupName), saveGroup));
  return { el };
}
