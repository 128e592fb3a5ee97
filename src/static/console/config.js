// Config: the application's platform config as a form grouped by topic, built from and checked against the
// JSON Schema of the API's own zod schema (PlatformConfig in /openapi.json). Saves send If-Match with the
// ETag that was read, so an edit made elsewhere meanwhile is refused (409/412) instead of overwritten.
import { api, ApiError, openApiDocument } from "./api.js";
import { check, resolve } from "./schema.js";
import { attempt, errorPanel, h, pageTitle, showError, toast } from "./ui.js";

/** Topics of the form, in order; settings not listed (added to the API later) land in "Other settings". */
const TOPICS = [
  ["Login methods", ["login", "forgot_password", "social", "social_tokens", "user_exists_lookup", "skip_login", "skip_captcha"]],
  ["Registration fields", ["register", "required_fields", "register_required_fields"]],
  ["Password policy", ["password_settings"]],
  ["Lockout", ["account_lockout"]],
  ["Sessions", ["session_config"]],
  ["OTP and links", ["otp"]],
  ["Account deletion", ["delete_account_day", "delete_account_reasons", "delete_account_consent"]],
  ["CORS origins", ["allowed_origins"]],
  ["Security notices and profile", ["security_notifications", "profile"]],
  ["Token login", ["token_login"]],
  ["Branding and general", ["name", "display", "subtext", "active", "look_and_feel", "flash_card", "mobile_image", "desktop_image", "meta"]],
];

const FOLDED = new Set(["social_tokens", "otp.templates", "required_fields", "look_and_feel", "flash_card"]);

const humanize = (key) => String(key).replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase());
const idFor = (path) => `cfg-${path.replace(/[^A-Za-z0-9_-]/g, "-")}`;

function kindOf(s, doc) {
  if (s.anyOf) {
    const alts = s.anyOf.map((a) => resolve(a, doc));
    if (alts.some((a) => a.type === "number" || a.type === "integer")) return "number";
    if (alts.every((a) => a.type === "string")) return "text";
    return "json";
  }
  if (s.type === "boolean") return "boolean";
  if (s.type === "integer" || s.type === "number") return "number";
  if (s.type === "string") return s.enum ? "select" : "text";
  if (s.type === "array" && resolve(s.items, doc).type === "string" && !resolve(s.items, doc).enum) return "lines";
  if (s.type === "object" && s.properties) return "object";
  return "json";
}

/** One control (or a fieldset of them) for `value` at `path`; each input is named by its dotted path. */
function control(schema, path, value, doc) {
  const s = resolve(schema, doc);
  const key = path.split(".").pop();
  const kind = kindOf(s, doc);
  if (kind === "object") {
    const children = Object.entries(s.properties).map(([k, sub]) => control(sub, `${path}.${k}`, value?.[k], doc));
    // Long groups (message templates, provider credentials) start folded; markFields unfolds them on an error.
    if (FOLDED.has(path)) return h("details", { class: "group" }, h("summary", {}, humanize(key)), children);
    return h("fieldset", {}, h("legend", {}, humanize(key)), children);
  }
  const id = idFor(path);
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [s.description ? hintId : null, errorId].filter(Boolean).join(" ");
  const common = { id, name: path, "aria-describedby": describedBy, dataset: { kind } };
  let input;
  if (kind === "boolean") input = h("input", { ...common, type: "checkbox", checked: value === true });
  else if (kind === "number") {
    const bounds = s.anyOf ? {} : { min: s.minimum, max: s.maximum };
    input = h("input", { ...common, type: "number", inputmode: "numeric", step: s.type === "number" ? "any" : "1", value: value ?? "", ...Object.fromEntries(Object.entries(bounds).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)])) });
  } else if (kind === "select") {
    const options = s.enum.includes(value) || value === undefined ? s.enum : [value, ...s.enum];
    input = h("select", common, options.map((o) => h("option", { value: o, selected: o === value }, String(o))));
  } else if (kind === "text") input = h("input", { ...common, value: value ?? "", autocomplete: "off", ...(s.maxLength ? { maxlength: String(s.maxLength) } : {}) });
  else if (kind === "lines") input = h("textarea", { ...common, rows: "3" }, (value ?? []).join("\n"));
  else input = h("textarea", { ...common, rows: "4", class: "code", spellcheck: "false" }, value === undefined ? "" : JSON.stringify(value, null, 2));
  const hint = [s.description, kind === "lines" ? "One per line." : null, kind === "json" ? "JSON." : null].filter(Boolean).join(" ");
  const label = h("label", { for: id }, humanize(key));
  const error = h("span", { class: "field-error", id: errorId });
  const hintEl = hint ? h("span", { class: "hint", id: hintId }, hint) : null;
  return kind === "boolean"
    ? h("div", { class: "control check" }, input, label, hintEl, error)
    : h("div", { class: "control" }, label, input, hintEl, error);
}

/** Reads the form back into a config object; JSON fields that do not parse are reported like schema problems. */
function collect(form, schema, path, original, required, doc, problems) {
  const s = resolve(schema, doc);
  const kind = kindOf(s, doc);
  if (kind === "object") {
    const out = {};
    for (const [k, sub] of Object.entries(s.properties)) {
      const v = collect(form, sub, path ? `${path}.${k}` : k, original?.[k], (s.required ?? []).includes(k), doc, problems);
      if (v !== undefined) out[k] = v;
    }
    // An optional group the config never had stays absent while nothing in it was filled in.
    return !required && original === undefined && Object.keys(out).length === 0 ? undefined : out;
  }
  const el = form.elements.namedItem(path);
  if (!el) return original;
  if (kind === "boolean") return el.checked;
  const text = el.value;
  if (kind === "number") return text.trim() === "" ? undefined : Number(text);
  if (kind === "lines") return text.split("\n").map((l) => l.trim()).filter(Boolean);
  if (kind === "json") {
    if (text.trim() === "") return required ? undefined : original === undefined ? undefined : null;
    try {
      return JSON.parse(text);
    } catch {
      problems.push({ field: path, message: "is not valid JSON" });
      return original;
    }
  }
  return text === "" && !required && original === undefined ? undefined : text;
}

/** Puts each problem next to its field (or the nearest enclosing one), marks it invalid, focuses the first. */
function markFields(form, problems) {
  for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  for (const el of form.querySelectorAll(".field-error")) el.textContent = "";
  let first = null;
  for (const { field, message } of problems) {
    const parts = field.split(".");
    let el = null;
    while (parts.length && !el) {
      el = form.elements.namedItem(parts.join("."));
      if (!el) parts.pop();
    }
    if (!el || !(el instanceof HTMLElement)) continue;
    el.setAttribute("aria-invalid", "true");
    for (let d = el.closest("details"); d; d = d.parentElement.closest("details")) d.open = true;
    const error = document.getElementById(`${el.id}-error`);
    const rest = field.slice(parts.join(".").length).replace(/^\./, "");
    error.textContent = [error.textContent, `${rest ? `${rest}: ` : ""}${message}`].filter(Boolean).join("; ");
    first ??= el;
  }
  first?.focus();
  return first !== null;
}

export async function configPage(el) {
  const panel = errorPanel();
  el.append(pageTitle("Config"), panel);
  const loaded = await attempt(panel, null, async () => {
    const [doc, res] = await Promise.all([openApiDocument(), api("GET", "/platform/config", { response: true })]);
    return { doc, etag: res.headers.get("etag"), config: await res.json() };
  });
  if (!loaded) return;
  const { doc, config } = loaded;
  let etag = loaded.etag;
  const schema = resolve(doc.components.schemas.PlatformConfig, doc);
  const listed = new Set(TOPICS.flatMap(([, keys]) => keys));
  const others = Object.keys(schema.properties).filter((k) => !listed.has(k));
  const topics = [...TOPICS, ...(others.length ? [["Other settings", others]] : [])];

  const sections = topics.map(([title, keys], i) =>
    h("section", { class: "card", "aria-labelledby": `topic-${i}` },
      h("h2", { id: `topic-${i}`, tabindex: "-1" }, title),
      keys.filter((k) => schema.properties[k]).map((k) => control(schema.properties[k], k, config[k], doc))));
  const jump = h("nav", { class: "chips", "aria-label": "Config topics" }, topics.map(([title], i) =>
    h("button", { type: "button", class: "chip", onclick: () => {
      const heading = document.getElementById(`topic-${i}`);
      heading.scrollIntoView({ block: "start" });
      heading.focus();
    } }, title)));

  const formPanel = errorPanel();
  const save = h("button", { type: "submit" }, "Save config");
  const form = h("form", { novalidate: true, "aria-label": "Platform config" }, h("div", { class: "config-grid" }, sections),
    h("div", { class: "sticky-actions" }, formPanel, save, h("span", { class: "hint" }, ` version ${config.__v}, updated ${new Date(config.updated_at).toLocaleString()}`)));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    attempt(formPanel, save, async () => {
      const problems = [];
      const value = collect(form, schema, "", config, true, doc, problems);
      problems.push(...check(schema, value, doc));
      if (problems.length) {
        markFields(form, problems);
        throw new ApiError({ message: `Fix ${problems.length} field(s) before saving`, code: "CHECKED_IN_PAGE", info: { fields: problems } }, 0);
      }
      markFields(form, []);
      try {
        const res = await api("POST", "/platform/config", { body: value, headers: etag ? { "if-match": etag } : {}, response: true });
        etag = res.headers.get("etag");
        toast("Config saved.");
        el.replaceChildren();
        await configPage(el);
      } catch (error) {
        if (error instanceof ApiError && (error.status === 409 || error.status === 412)) {
          showError(formPanel, error);
          formPanel.prepend(h("div", { class: "conflict" },
            h("strong", {}, "Changed elsewhere — reload. "), "Someone saved the config after you opened it; reload to see their version (your edits here are not saved).",
            h("button", { type: "button", onclick: () => { el.replaceChildren(); configPage(el); } }, "Reload")));
          return;
        }
        if (error instanceof ApiError) markFields(form, error.fields);
        throw error;
      }
    });
  });
  el.append(jump, form);
}
