// Small DOM helpers shared by the pages: element builder, the error panel, messages, paging, downloads.
import { api, ApiError } from "./api.js";

/** h("button", {type: "button", onclick}, "Text") — attributes, properties (on*, dataset) and children. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key in el && typeof value !== "string") el[key] = value;
    else el.setAttribute(key, value === true ? "" : value);
  }
  el.append(...children.flat(Infinity).filter((c) => c !== undefined && c !== null && c !== false));
  return el;
}

/** Replaces the children of `el`, leaving out absent ones (null, undefined, false) as h() does. */
export function fill(el, ...children) {
  el.replaceChildren(...children.flat(Infinity).filter((c) => c !== undefined && c !== null && c !== false));
  return el;
}

/** Shows an error of the one API shape in `panel` (a role=alert element): message, code, fields, request id. */
export function showError(panel, error) {
  panel.replaceChildren();
  if (!error) return;
  const e = error instanceof ApiError ? error : new ApiError({ message: error.message ?? String(error), code: "CLIENT_ERROR" }, 0);
  panel.append(
    h("div", { class: "error-box" },
      h("strong", {}, e.message),
      h("div", { class: "meta" }, `${e.code}${e.status ? ` · HTTP ${e.status}` : ""}${e.requestId ? ` · request ${e.requestId}` : ""}`),
      e.fields.length ? h("ul", {}, e.fields.map((f) => h("li", {}, h("code", {}, f.field), ` ${f.message}`))) : null),
  );
}

export const errorPanel = () => h("div", { class: "errors", role: "alert" });

let toastTimer;
export function toast(message) {
  const el = document.getElementById("toast");
  el.textContent = message;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (el.textContent = ""), 6000);
}

/**
 * Runs `action` for a button or form submit: disables the control meanwhile and shows a failure
 * in `panel` (cleared on success).
 */
export async function attempt(panel, control, action) {
  if (control) control.disabled = true;
  showError(panel, null);
  try {
    return await action();
  } catch (error) {
    showError(panel, error);
    return undefined;
  } finally {
    if (control) control.disabled = false;
  }
}

/** A form whose submit runs `action(values, form)` through attempt(); values are the named fields as strings. */
export function formOf(attrs, children, action) {
  const panel = errorPanel();
  const form = h("form", { novalidate: true, ...attrs }, children, panel);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    attempt(panel, event.submitter ?? form.querySelector("button[type=submit]"), () => action(Object.fromEntries(new FormData(form)), form));
  });
  return form;
}

export const field = (label, input, hint) => h("label", {}, label, input, hint ? h("span", { class: "hint" }, hint) : null);

export function dateTime(iso) {
  if (!iso) return "—";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

export function badge(text, kind = "") {
  return h("span", { class: `badge ${kind}` }, text);
}

/** "Page 2 of 7 · 64 items" with Previous/Next buttons; `go(page)` loads another page. */
export function pager(page, go, noun = "items") {
  const pages = Math.max(1, Math.ceil(page.item_total / page.size));
  return h("nav", { class: "pager", "aria-label": "Pages" },
    h("button", { type: "button", class: "secondary", disabled: page.current <= 1, onclick: () => go(page.current - 1) }, "Previous"),
    h("span", {}, `Page ${page.current} of ${pages} · ${page.item_total} ${noun}`),
    h("button", { type: "button", class: "secondary", disabled: !page.has_next, onclick: () => go(page.current + 1) }, "Next"),
  );
}

/** A table with a header row; each cell carries its column name so narrow screens can stack rows. */
export function table(caption, columns, rows) {
  return h("div", { class: "table-wrap" },
    h("table", {},
      h("caption", { class: caption.startsWith("!") ? "visually-hidden" : "" }, caption.replace(/^!/, "")),
      h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, rows.length
        ? rows.map((cells) => h("tr", {}, cells.map((cell, i) => h("td", { "data-label": columns[i], class: cell === undefined || cell === null || cell === "" ? "blank" : null }, cell || "—"))))
        : h("tr", {}, h("td", { colspan: String(columns.length), class: "empty" }, "Nothing here yet."))),
    ),
  );
}

/** Downloads a platform file (export, error report): it needs the bearer token, so it is fetched, then saved. */
export async function download(relativeOrAbsoluteUrl, fallbackName) {
  const path = new URL(relativeOrAbsoluteUrl, location.origin).pathname;
  const fileId = path.split("/").pop();
  const res = await api("GET", `/users/files/${encodeURIComponent(fileId)}`, { response: true });
  const name = /filename="?([^";]+)"?/.exec(res.headers.get("content-disposition") ?? "")?.[1] ?? fallbackName;
  const url = URL.createObjectURL(await res.blob());
  const link = h("a", { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  toast(`Downloaded ${name}.`);
}

/** A titled card: a region named by its heading (`id` links the two). */
export const card = (id, title, ...children) => h("section", { class: "card", "aria-labelledby": id }, h("h2", { id }, title), ...children);

/** The page's main heading, focused on navigation so keyboard and screen-reader users land on it. */
export const pageTitle = (text) => h("h1", { tabindex: "-1" }, text);
