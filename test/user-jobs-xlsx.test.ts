import { read, utils, write, type WorkSheet } from "@e965/xlsx";
import { afterEach, describe, expect, it, vi } from "vitest";
import { call, expectError, json } from "./support/http";
import { adminHeaders, createTenant, type Tenant } from "./support/tenants";
import { createCustomer, defineAttribute, download, downloadResponse, setAttribute, uploadCsv, waitForJob, type Job } from "./support/attributes";

/*
 * XLSX import and export: workbooks are built and read back here with SheetJS (the full build);
 * the Worker converts them through its XLSX service binding (workers/xlsx, run beside it).
 */

afterEach(() => {
  vi.restoreAllMocks();
});

const XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

async function admin() {
  const tenant = await createTenant();
  return { tenant, headers: await adminHeaders(tenant) };
}

function workbook(sheet: WorkSheet, bookType: "xlsx" | "ods" = "xlsx"): Uint8Array {
  const book = utils.book_new();
  utils.book_append_sheet(book, sheet, "Customers");
  return new Uint8Array(write(book, { type: "array", bookType }) as ArrayBuffer);
}

const workbookOf = (rows: unknown[][]) => workbook(utils.aoa_to_sheet(rows, { cellDates: true }));

/** A downloaded workbook's first sheet as rows of text (what a person sees in its cells). */
function sheetRows(bytes: ArrayBuffer): string[][] {
  const book = read(new Uint8Array(bytes), { type: "array" });
  return utils.sheet_to_json<string[]>(book.Sheets[book.SheetNames[0]!]!, { header: 1, raw: false, defval: "" });
}

async function startImport(tenant: Tenant, headers: Record<string, string>, file: { absolute_url: string; relative_url: string }, fileFormat: string) {
  const res = await call(`${tenant.plat}/users/jobs/import`, json({ ...file, file_format: fileFormat }, { method: "POST", headers }));
  if (res.status !== 200) throw new Error(`import: ${res.status} ${await res.text()}`);
  return (await res.json()) as Job & { file_format: string };
}

async function importFile(tenant: Tenant, headers: Record<string, string>, bytes: Uint8Array | string, name: string, fileFormat: string): Promise<Job> {
  const started = await startImport(tenant, headers, await uploadCsv(tenant, headers, bytes, name), fileFormat);
  expect(started).toMatchObject({ status: "inprogress", file_format: fileFormat.toLowerCase() });
  return waitForJob(tenant, headers, started._id);
}

async function exportAs(tenant: Tenant, headers: Record<string, string>, fileFormat: string): Promise<Job> {
  const res = await call(`${tenant.plat}/users/jobs/export`, json({ file_format: fileFormat }, { method: "POST", headers }));
  expect(res.status).toBe(200);
  return waitForJob(tenant, headers, ((await res.json()) as Job)._id);
}

describe("XLSX import", () => {
  it("imports a workbook across several chunks: dates, numbers, booleans and formulas as their values; bad rows in an XLSX error report", async () => {
    const { tenant, headers } = await admin();
    await defineAttribute(tenant, headers, { name: "age", slug: "age", type: "number" });
    await defineAttribute(tenant, headers, { name: "vip", slug: "vip", type: "boolean" });
    const sheet = utils.aoa_to_sheet(
      [
        ["Email", "First_Name", "DOB", "attribute:age", "attribute:vip"],
        ["ann@example.com", "Ann", new Date(Date.UTC(1990, 4, 31)), 30, true],
        ["bad-email", "Bad", "", "", ""],
        ["ben@example.com", "=HYPERLINK(\"x\")", "1991-02-03", 41, false],
        ["cat@example.com", "Cat", "", "", ""],
        ["dan@example.com", "Dan", "", "old", ""],
      ],
      { cellDates: true },
    );
    // A formula with its computed value: the import takes the value, never the formula.
    sheet["D5"] = { t: "n", v: 7, f: "3+4" };
    const job = await importFile(tenant, headers, workbook(sheet), "customers.xlsx", "XLSX");
    expect(job).toMatchObject({ status: "partial", count: { total: 5, success: 3, error: 2 } });

    const search = async (email: string) => {
      const res = await call(`${tenant.plat}/customers/search?q=${encodeURIComponent(email)}`, { headers });
      return ((await res.json()) as { users: { _id: string; first_name: string; dob?: string }[] }).users[0];
    };
    expect(await search("ann@example.com")).toMatchObject({ first_name: "Ann", dob: "1990-05-31" });
    expect(await search("ben@example.com")).toMatchObject({ first_name: '=HYPERLINK("x")', dob: "1991-02-03" });
    expect(await search("cat@example.com")).toMatchObject({ first_name: "Cat" });
    expect(await search("bad-email")).toBeUndefined();

    const report = await downloadResponse(headers, job.links.error!.relative_url);
    expect(report.headers.get("content-type")).toBe(XLSX_TYPE);
    expect(report.headers.get("content-disposition")).toBe('attachment; filename="customers-errors.xlsx"');
    expect(sheetRows(await report.arrayBuffer())).toEqual([
      ["row", "email", "first_name", "dob", "attribute:age", "attribute:vip", "error"],
      ["3", "bad-email", "Bad", "", "", "", "email: not an email address"],
      ["6", "dan@example.com", "Dan", "", "old", "", 'Attribute "age" must be a number (rule: type)'],
    ]);
    // The source file is kept as uploaded.
    expect((await downloadResponse(headers, job.links.file!.relative_url)).headers.get("content-type")).toBe(XLSX_TYPE);
  });

  it("the same rows as CSV and as XLSX give the same outcome and the same error report", async () => {
    const rows = [
      ["email", "first_name", "attribute:age"],
      ["a@example.com", "A", "1"],
      ["nope", "B", "2"],
      ["c@example.com", "C", "x"],
    ];
    const { tenant, headers } = await admin();
    await defineAttribute(tenant, headers, { name: "age", slug: "age", type: "number" });
    const viaCsv = await importFile(tenant, headers, rows.map((r) => r.join(",")).join("\n"), "same.csv", "csv");
    const other = await admin();
    await defineAttribute(other.tenant, other.headers, { name: "age", slug: "age", type: "number" });
    const viaXlsx = await importFile(other.tenant, other.headers, workbookOf(rows), "same.xlsx", "xlsx");
    expect(viaXlsx.count).toEqual(viaCsv.count);
    expect(viaXlsx.status).toBe(viaCsv.status);
    const csvReport = await download(headers, viaCsv.links.error!.relative_url);
    const csvRows = utils.sheet_to_json<string[]>(read(csvReport, { type: "string", raw: true }).Sheets.Sheet1!, { header: 1, raw: false, defval: "" });
    const xlsxReport = sheetRows(await (await downloadResponse(other.headers, viaXlsx.links.error!.relative_url)).arrayBuffer());
    expect(xlsxReport).toEqual(csvRows);
    expect(xlsxReport[2]).toEqual(["4", "c@example.com", "C", "x", 'Attribute "age" must be a number (rule: type)']);
  });

  it("fails the whole job, like an unreadable CSV, for a file that is not a usable workbook, without writing", async () => {
    const { tenant, headers } = await admin();
    const noWorkbook = workbook(utils.aoa_to_sheet([["email"], ["a@example.com"]]), "ods");
    const tooBig = new Uint8Array(5 * 1024 * 1024 + 1);
    tooBig.set([0x50, 0x4b, 0x03, 0x04]);
    // A zip bomb: the archive's directory claims a part inflates to 50 MiB; it is refused before anything is inflated.
    const bomb = workbookOf([["email"], ["a@example.com"]]);
    const view = new DataView(bomb.buffer);
    const entry = bomb.findIndex((_, i) => i + 4 <= bomb.length && view.getUint32(i, true) === 0x02014b50);
    view.setUint32(entry + 24, 50 * 1024 * 1024, true);
    const tooManyRows = workbookOf([["email"], ...Array.from({ length: 20_001 }, (_, i) => [`r${i}@example.com`])]);
    const cases: [Uint8Array | string, string, RegExp][] = [
      ["email,first_name\na@example.com,A\n", "text.xlsx", /not an XLSX workbook \(not a zip archive\)/],
      [noWorkbook, "sheet.xlsx", /not an XLSX workbook \(no xl\/workbook.xml\)/],
      [new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]), "cut.xlsx", /not an XLSX workbook/],
      [workbookOf([["email", "frist_name"], ["a@example.com", "A"]]), "header.xlsx", /Unknown columns: frist_name/],
      [workbookOf([["first_name"], ["A"]]), "nocontact.xlsx", /needs an email or phone_number column/],
      [workbookOf([]), "empty.xlsx", /empty \(no header row\)/],
      [tooBig, "big.xlsx", /larger than 5242880 bytes/],
      [bomb, "bomb.xlsx", /unpacks to more than 41943040 bytes/],
      [tooManyRows, "rows.xlsx", /more than 20000 rows besides its header/],
    ];
    for (const [bytes, name, message] of cases) {
      const job = await importFile(tenant, headers, bytes, name, "xlsx").catch((e) => {
        throw new Error(`${name}: ${e}`);
      });
      expect(job.status, name).toBe("failed");
      expect(job.message, name).toMatch(message);
      expect(job.count).toEqual({ total: 0, success: 0, error: 0 });
    }
    // The same header problem as a CSV fails with the same message.
    const csv = await importFile(tenant, headers, "email,frist_name\na@example.com,A\n", "header.csv", "csv");
    expect(csv.message).toMatch(/Unknown columns: frist_name/);
    // A workbook sent as file_format csv is named for what it is.
    const mislabelled = await importFile(tenant, headers, workbookOf([["email"], ["a@example.com"]]), "book.xlsx", "csv");
    expect(mislabelled).toMatchObject({ status: "failed", message: expect.stringMatching(/XLSX workbook.*file_format xlsx/) });
    const res = await call(`${tenant.plat}/customers/search?q=a@example.com`, { headers });
    expect(((await res.json()) as { users: unknown[] }).users).toEqual([]);
  });

  it("refuses other file formats; another application's workbook is 404, never read", async () => {
    const { tenant, headers } = await admin();
    const file = await uploadCsv(tenant, headers, workbookOf([["email"], ["a@example.com"]]), "mine.xlsx");
    for (const file_format of ["ods", "xls", ""]) {
      await expectError(await call(`${tenant.plat}/users/jobs/import`, json({ ...file, file_format }, { method: "POST", headers })), 400, "VALIDATION_FAILED");
      await expectError(await call(`${tenant.plat}/users/jobs/export`, json({ file_format }, { method: "POST", headers })), 400, "VALIDATION_FAILED");
    }
    const other = await admin();
    await expectError(await call(`${other.tenant.plat}/users/jobs/import`, json({ ...file, file_format: "xlsx" }, { method: "POST", headers: other.headers })), 404);
    // Its id under the other application's own path finds nothing; its own path refuses the other's token.
    await expectError(await call(`${other.tenant.plat}/users/files/${file.file_id}`, { headers: other.headers }), 404);
    await expectError(await call(file.relative_url, { headers: other.headers }), 403);
  });
});

describe("XLSX export", () => {
  it("exports every customer to a workbook of text cells, in the import format (read back)", async () => {
    const { tenant, headers } = await admin();
    const age = await defineAttribute(tenant, headers, { name: "age", slug: "age", type: "number" });
    const ids: string[] = [];
    for (const [i, name] of ["Ann", "=1+1", "Cat", "Dan"].entries()) {
      const id = await createCustomer(tenant, { email: `x${i}@example.com`, firstName: name });
      await setAttribute(tenant, headers, age._id, id, 20 + i);
      ids.push(id);
    }
    const job = await exportAs(tenant, headers, "XLSX");
    expect(job).toMatchObject({ status: "complete", count: { total: 4, success: 4, error: 0 }, file_name: expect.stringMatching(/^customers-\d{4}-\d{2}-\d{2}\.xlsx$/) });
    const res = await downloadResponse(headers, job.links.file!.relative_url);
    expect(res.headers.get("content-type")).toBe(XLSX_TYPE);
    const bytes = await res.arrayBuffer();
    const rows = sheetRows(bytes);
    expect(rows[0]).toEqual(["user_id", "first_name", "last_name", "email", "phone_number", "gender", "dob", "external_id", "rr_id", "status", "created_at", "attribute:age"]);
    expect(rows.slice(1).map((r) => [r[0], r[1], r[3], r[11]]).sort()).toEqual(ids.map((id, i) => [id, ["Ann", "=1+1", "Cat", "Dan"][i], `x${i}@example.com`, String(20 + i)]).sort());
    // A value that looks like a formula is a text cell, not a formula.
    const sheet = read(new Uint8Array(bytes), { type: "array", cellFormula: true }).Sheets.customers!;
    const formulaCell = Object.entries(sheet).find(([, c]) => (c as { v?: unknown }).v === "=1+1")?.[1] as { t: string; f?: string };
    expect(formulaCell).toMatchObject({ t: "s" });
    expect(formulaCell.f).toBeUndefined();

    // Imported into another application, the export yields the same customers.
    const other = await admin();
    await defineAttribute(other.tenant, other.headers, { name: "age", slug: "age", type: "number" });
    const again = await importFile(other.tenant, other.headers, new Uint8Array(bytes), "export.xlsx", "xlsx");
    expect(again).toMatchObject({ status: "complete", count: { total: 4, success: 4, error: 0 } });
    const back = await exportAs(other.tenant, other.headers, "xlsx");
    const backRows = sheetRows(await (await downloadResponse(other.headers, back.links.file!.relative_url)).arrayBuffer());
    expect(backRows.slice(1).map((r) => [r[1], r[3], r[11]]).sort()).toEqual(rows.slice(1).map((r) => [r[1], r[3], r[11]]).sort());
  });

  it("an export's file is only reachable by its own application", async () => {
    const { tenant, headers } = await admin();
    await createCustomer(tenant, { email: "own@example.com" });
    const job = await exportAs(tenant, headers, "xlsx");
    const other = await admin();
    const fileId = job.links.file!.relative_url.split("/").at(-1);
    await expectError(await call(`${other.tenant.plat}/users/files/${fileId}`, { headers: other.headers }), 404);
    await expectError(await call(job.links.file!.relative_url, { headers: other.headers }), 403);
    await expectError(await call(`${other.tenant.plat}/users/jobs/${job._id}`, { headers: other.headers }), 404);
  });
});
