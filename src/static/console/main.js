// The console shell: sign-in, navigation between pages (#/customers, #/config, ...), focus on each page's heading.
import { signIn, signOut, signedIn, whenSignedOut } from "./api.js";
import { activityPage } from "./activity.js";
import { configPage } from "./config.js";
import { customerPage, customersPage } from "./customers.js";
import { groupsPage } from "./groups.js";
import { jobsPage } from "./jobs.js";
import { attempt, toast } from "./ui.js";

const $ = (selector) => document.querySelector(selector);

/** Route → page. Each page is `async (container, params) => void` and renders into the container. */
const routes = [
  [/^#\/customers\/([^/?]+)$/, (m) => (el) => customerPage(el, decodeURIComponent(m[1]))],
  [/^#\/customers(?:\?(.*))?$/, (m) => (el) => customersPage(el, new URLSearchParams(m[1] ?? ""))],
  [/^#\/config$/, () => configPage],
  [/^#\/groups$/, () => groupsPage],
  [/^#\/jobs$/, () => jobsPage],
  [/^#\/activity$/, () => activityPage],
];

let rendering = 0;

async function render() {
  const authed = signedIn();
  $("#sign-in").hidden = authed;
  $("#nav").hidden = !authed;
  $("#sign-out").hidden = !authed;
  const container = $("#page");
  container.hidden = !authed;
  if (!authed) {
    container.replaceChildren();
    return;
  }
  const hash = location.hash || "#/customers";
  const match = routes.map(([re, page]) => [hash.match(re), page]).find(([m]) => m);
  if (!match) {
    location.hash = "#/customers";
    return;
  }
  for (const link of document.querySelectorAll("#nav a")) {
    const current = hash.startsWith(link.getAttribute("href"));
    if (current) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  const run = ++rendering;
  const page = document.createElement("div");
  container.replaceChildren(page);
  // Busy until the page has loaded what it shows (assistive technology and tests wait for it).
  container.setAttribute("aria-busy", "true");
  try {
    await match[1](match[0])(page);
  } finally {
    // A slower, older navigation must not steal focus from the newer page.
    if (run === rendering) {
      container.setAttribute("aria-busy", "false");
      page.querySelector("h1")?.focus();
    }
  }
}

$("#sign-in-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.target;
  const missing = [...form.elements].filter((el) => el.required && !el.value.trim());
  for (const el of form.elements) if (el.name) el.setAttribute("aria-invalid", String(missing.includes(el)));
  const panel = form.querySelector(".errors");
  attempt(panel, form.querySelector("button"), async () => {
    if (missing.length) throw new Error(`Fill in: ${missing.map((el) => el.labels[0].firstChild.textContent.trim()).join(", ")}`);
    await signIn(Object.fromEntries(new FormData(form)));
    // The secret stays in the API module's memory only; the form forgets it.
    form.client_secret.value = "";
    if (!location.hash) location.hash = "#/customers";
    await render();
  });
});

$("#sign-out").addEventListener("click", () => {
  signOut();
  toast("Signed out.");
  render().then(() => $("#sign-in-title").focus());
});

whenSignedOut((error) => {
  toast(`Signed out: ${error.message}`);
  render();
});

window.addEventListener("hashchange", render);
render();
