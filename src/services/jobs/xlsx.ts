import type { SheetLimits, XlsxConverter } from "../../env";
import { csvLine, parseCsv, unguardField } from "./csv";

/*
 * XLSX for import/export jobs. A workbook has no streaming reader (its rows sit in one zipped XML part,
 * its strings in another), so it is converted once, whole and bounded, by the converter Worker:
 * an import's first sheet becomes CSV in R2 and is then read in chunks exactly like an uploaded CSV;
 * an export (and an error report) is written as CSV chunk by chunk and turned into a workbook at the end.
 */

/** The most customers an XLSX import or export holds: a workbook is built and parsed whole in memory. */
export const MAX_XLSX_ROWS = 20_000;

export const XLSX_LIMITS: SheetLimits = {
  maxBytes: 5 * 1024 * 1024,
  maxUnzippedBytes: 40 * 1024 * 1024,
  maxRows: MAX_XLSX_ROWS,
};

export class SheetError extends Error {}

/** A workbook's first sheet as CSV text (cells as text: a formula's computed value, a date as 2024-05-31). */
export async function xlsxToCsv(converter: XlsxConverter, bytes: Uint8Array): Promise<string> {
  const result = await converter.read(bytes, XLSX_LIMITS);
  if ("error" in result) throw new SheetError(result.error);
  // A sheet row ends at its last filled cell; as in a CSV, every row gets the header's width.
  const width = result.rows[0]?.length ?? 0;
  return result.rows.map((row) => csvLine(row.length < width ? [...row, ...Array<string>(width - row.length).fill("")] : row)).join("");
}

/** CSV text as we write it (formula-guarded cells) as a workbook of plain text cells. */
export async function csvToXlsx(converter: XlsxConverter, csv: string, sheetName: string): Promise<Uint8Array> {
  const { records } = parseCsv(csv.replace(/^\uFEFF/, ""), { final: true });
  return converter.write(records.map((r) => r.map(unguardField)), sheetName);
}
