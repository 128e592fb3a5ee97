import { WorkerEntrypoint } from "cloudflare:workers";
// The mini build (XLSX and CSV, no legacy formats or codepages) keeps this Worker small.
import { read, utils, write } from "@e965/xlsx/dist/xlsx.mini.min.js";
import type { SheetLimits, SheetRead, XlsxConverter as Converter } from "../../src/env";

/*
 * The XLSX converter, a Worker of its own (user-edge-xlsx) bound to user-edge as XLSX: SheetJS reads
 * and writes whole workbooks in memory and is ≈ 85 KiB gzip, more than the main Worker's bundle
 * budget leaves, and only background jobs need it. It turns a workbook's first sheet into rows of
 * text and rows of text into a workbook; everything else (checks, chunking, R2) stays in user-edge.
 */

const EOCD = 0x06054b50;
const CENTRAL_ENTRY = 0x02014b50;

/**
 * Reads a zip's central directory (its table of contents, at the end): the parts' names and their
 * total uncompressed size, or why the file is not a readable zip archive.
 */
export function zipDirectory(bytes: Uint8Array): { names: string[]; unzipped: number } | string {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const notZip = "The file is not an XLSX workbook (not a zip archive)";
  if (bytes.byteLength < 22 || view.getUint32(0, true) !== 0x04034b50) return notZip;
  let end = -1;
  for (let i = bytes.byteLength - 22; i >= Math.max(0, bytes.byteLength - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === EOCD) {
      end = i;
      break;
    }
  }
  if (end < 0) return notZip;
  const count = view.getUint16(end + 10, true);
  let offset = view.getUint32(end + 16, true);
  const names: string[] = [];
  let unzipped = 0;
  const decoder = new TextDecoder();
  for (let n = 0; n < count; n++) {
    if (offset + 46 > bytes.byteLength || view.getUint32(offset, true) !== CENTRAL_ENTRY) return notZip;
    const size = view.getUint32(offset + 24, true);
    // 0xffffffff marks a ZIP64 size: far past any limit here.
    unzipped += size === 0xffffffff ? Infinity : size;
    const nameLength = view.getUint16(offset + 28, true);
    const extra = view.getUint16(offset + 30, true);
    const comment = view.getUint16(offset + 32, true);
    names.push(decoder.decode(bytes.subarray(offset + 46, offset + 46 + nameLength)));
    offset += 46 + nameLength + extra + comment;
  }
  return { names, unzipped };
}

const ERROR_TEXT: Record<number, string> = { 0: "#NULL!", 7: "#DIV/0!", 15: "#VALUE!", 23: "#REF!", 29: "#NAME?", 36: "#NUM!", 42: "#N/A", 43: "#GETTING_DATA" };

interface Cell {
  t: string;
  v?: unknown;
}

/** A cell as the text a CSV of the sheet would hold: a formula's last computed value, a date as an ISO date. */
export function cellText(cell: Cell | undefined): string {
  if (!cell || cell.v === undefined || cell.v === null) return "";
  switch (cell.t) {
    case "d": {
      const date = cell.v as Date;
      if (Number.isNaN(date.getTime())) return "";
      const iso = date.toISOString();
      return iso.endsWith("T00:00:00.000Z") ? iso.slice(0, 10) : iso;
    }
    case "b":
      return cell.v ? "true" : "false";
    case "e":
      return ERROR_TEXT[cell.v as number] ?? "#ERROR";
    default:
      return String(cell.v);
  }
}

export function readSheet(bytes: Uint8Array, limits: SheetLimits): SheetRead {
  if (bytes.byteLength > limits.maxBytes) return { error: `The file is larger than ${limits.maxBytes} bytes` };
  const directory = zipDirectory(bytes);
  if (typeof directory === "string") return { error: directory };
  if (!directory.names.includes("xl/workbook.xml")) return { error: "The file is not an XLSX workbook (no xl/workbook.xml)" };
  if (directory.unzipped > limits.maxUnzippedBytes) return { error: `The workbook unpacks to more than ${limits.maxUnzippedBytes} bytes` };
  let sheet;
  try {
    const book = read(bytes, { type: "array", dense: true, cellDates: true, cellFormula: false, cellHTML: false, cellText: false, cellStyles: false, sheets: 0, sheetRows: limits.maxRows + 2 });
    const name = book.SheetNames[0];
    sheet = name === undefined ? undefined : book.Sheets[name];
  } catch (error) {
    return { error: `The workbook could not be read (${(error as Error).message})` };
  }
  if (!sheet) return { error: "The workbook has no sheet" };
  const dense = (sheet["!data"] ?? []) as (Cell[] | undefined)[];
  if (dense.length > limits.maxRows + 1) return { error: `The sheet has more than ${limits.maxRows} rows besides its header` };
  const rows: string[][] = [];
  for (const row of dense) {
    const cells = Array.from({ length: row?.length ?? 0 }, (_, c) => cellText(row?.[c]));
    // Blank rows are skipped, as in a CSV.
    if (cells.some((c) => c !== "")) rows.push(cells);
  }
  return { rows };
}

/** A one-sheet workbook of text cells (never formulas: a cell starting with = stays text). */
export function writeSheet(rows: string[][], sheetName: string): Uint8Array {
  const sheet = utils.aoa_to_sheet(rows, { dense: true });
  const book = utils.book_new();
  utils.book_append_sheet(book, sheet, sheetName.slice(0, 31) || "Sheet1");
  return new Uint8Array(write(book, { type: "array", bookType: "xlsx", compression: true }) as ArrayBuffer);
}

export class XlsxConverter extends WorkerEntrypoint implements Converter {
  async read(bytes: Uint8Array, limits: SheetLimits): Promise<SheetRead> {
    return readSheet(bytes, limits);
  }

  async write(rows: string[][], sheetName: string): Promise<Uint8Array> {
    return writeSheet(rows, sheetName);
  }
}

export default {
  fetch: () => new Response("user-edge-xlsx: reached through its service binding only", { status: 404 }),
};
