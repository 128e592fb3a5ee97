// Import/export: upload a customer file and follow its import job (a progress bar fed by the job API:
// rows done of the file's rows, errors so far), export every customer, download results and error reports.
import { api } from "./api.js";
import { attempt, card, fill, badge, dateTime, download, errorPanel, field, formOf, h, pageTitle, table, toast } from "./ui.js";

const POLL_MS = 500;
const FORMATS = { csv: "text/csv", xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" };

/**
 * Data rows of a CSV (records after the header; quoted fields may hold newlines). The job API counts
 * rows as it goes, so the file's own row count is what "done of total" is measured against.
 */
export function csvRows(text) {
  let records = 0;
  let quoted = false;
  let content = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    if (!quoted && (c === "\n" || (c === "\r" && text[i + 1] !== "\n"))) {
      if (content) records++;
      content = false;
    } else if (c !== "\r") content = true;
  }
  if (content) records++;
  return Math.max(0, records - 1);
}

const statusBadge = (status) => badge(status, { complete: "good", partial: "warn", failed: "bad", inprogress: "info" }[status] ?? "");
const finished = (job) => job.status !== "inprogress";

function progressView(label) {
  const bar = h("progress", { max: "100", value: "0", "aria-label": label });
  const text = h("p", { class: "progress-text", "aria-live": "polite" });
  const links = h("div", { class: "buttons" });
  return {
    el: h("div", { class: "progress" }, bar, text, links),
    show(job, expected) {
      const done = job.count.success + job.count.error;
      const total = finished(job) ? job.count.total : Math.max(expected ?? 0, job.count.total);
      const percent = finished(job) ? 100 : total ? Math.min(99, Math.floor((done / total) * 100)) : 0;
      bar.value = percent;
      bar.setAttribute("aria-valuetext", `${percent} %`);
      fill(text,
        h("strong", {}, `${percent} %`), ` · ${done} of ${total || "?"} rows · ${job.count.error} error${job.count.error === 1 ? "" : "s"} · `, statusBadge(job.status),
        job.message ? h("span", { class: "bad-text" }, ` ${job.message}`) : null,
      );
      links.replaceChildren(...jobLinks(job));
    },
  };
}

function jobLinks(job) {
  const panel = errorPanel();
  const link = (label, target, name) =>
    h("button", { type: "button", class: "secondary", onclick: (e) => attempt(panel, e.currentTarget, () => download(target.relative_url, name)) }, label);
  return [
    job.action_type === "export" && job.links.file ? link("Download export", job.links.file, job.file_name) : null,
    job.links.error ? link("Download error report", job.links.error, "errors.csv") : null,
    panel,
  ].filter(Boolean);
}

/** Polls the job until it finishes, updating the view; answers the finished job. */
async function follow(jobId, view, expected) {
  for (;;) {
    const job = await api("GET", `/users/jobs/${encodeURIComponent(jobId)}`);
    view.show(job, expected);
    if (finished(job)) return job;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

export async function jobsPage(el) {
  const history = h("div");
  const historyPanel = errorPanel();
  const importView = progressView("Import progress");
  const exportView = progressView("Export progress");

  const importForm = formOf({ "aria-labelledby": "import-title" }, [
    field("Customer file", h("input", { name: "file", type: "file", accept: ".csv,.xlsx,text/csv", required: true }),
      "Columns: email and/or phone_number, first_name, last_name, gender, dob, external_id, rr_id, attribute:<slug>"),
    h("button", { type: "submit" }, "Upload and import"),
  ], async (v) => {
    const file = v.file;
    if (!(file instanceof File) || file.size === 0) throw new Error("Choose a file to import");
    const format = file.name.toLowerCase().endsWith(".xlsx") ? "xlsx" : "csv";
    const expected = format === "csv" ? csvRows(await file.text()) : undefined;
    const uploaded = await api("POST", "/users/files", { query: { file_name: file.name }, raw: file, headers: { "content-type": FORMATS[format] } });
    const job = await api("POST", "/users/jobs/import", { body: { absolute_url: uploaded.absolute_url, relative_url: uploaded.relative_url, file_format: format } });
    importView.el.hidden = false;
    const done = await follow(job._id, importView, expected);
    toast(`Import ${done.status}: ${done.count.success} imported, ${done.count.error} with errors.`);
    await loadHistory();
  });

  const exportPanel = errorPanel();
  const exportButton = h("button", { type: "button", onclick: (e) => attempt(exportPanel, e.currentTarget, async () => {
    const job = await api("POST", "/users/jobs/export", { body: { file_format: "csv" } });
    exportView.el.hidden = false;
    const done = await follow(job._id, exportView);
    toast(`Export ${done.status}: ${done.count.total} customers.`);
    await loadHistory();
  }) }, "Export all customers (CSV)");
  importView.el.hidden = true;
  exportView.el.hidden = true;

  async function loadHistory() {
    const [imports, exports] = await Promise.all([
      api("GET", "/users/jobs/import", { query: { page_size: 10 } }),
      api("GET", "/users/jobs/export", { query: { page_size: 10 } }),
    ]);
    const jobs = [...imports.items, ...exports.items].sort((a, b) => b.created_at.localeCompare(a.created_at)).slice(0, 10);
    history.replaceChildren(table("!Recent jobs", ["When", "Kind", "File", "Rows", "Status", "Files"], jobs.map((j) => [
      dateTime(j.created_at), j.action_type, j.file_name, `${j.count.success}/${j.count.total} (${j.count.error} errors)`, statusBadge(j.status),
      h("span", { class: "buttons" }, jobLinks(j)),
    ])));
  }

  el.append(
    pageTitle("Import/export"),
    card("import-title", "Import customers", importForm, importView.el),
    card("export-title", "Export customers", exportButton, exportPanel, exportView.el),
    card("history-title", "Recent jobs", history, historyPanel),
  );
  await attempt(historyPanel, null, loadHistory);
}
