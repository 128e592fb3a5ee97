/**
 * RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF line ends. Parsing can stop after a
 * number of records and reports how far it got, so a large file is read in chunks that always start
 * on a record boundary (a newline inside quotes never splits a record).
 */

export interface ParsedChunk {
  records: string[][];
  /** Characters of the input consumed by the returned records. */
  consumed: number;
}

export class CsvError extends Error {}

/**
 * Parses whole records from `text`. Unless `final`, a trailing record without its line end is left
 * unconsumed (the rest of it is in the next chunk). Blank lines are skipped.
 */
export function parseCsv(text: string, options: { final: boolean; maxRecords?: number }): ParsedChunk {
  const records: string[][] = [];
  const max = options.maxRecords ?? Infinity;
  let consumed = 0;
  let i = 0;
  while (i < text.length && records.length < max) {
    const fields: string[] = [];
    let field = "";
    let complete = false;
    let quoted = false;
    let j = i;
    while (j < text.length) {
      const ch = text[j]!;
      if (quoted) {
        if (ch === '"') {
          if (text[j + 1] === '"') {
            field += '"';
            j += 2;
            continue;
          }
          if (j + 1 >= text.length && !options.final) break;
          quoted = false;
        } else {
          field += ch;
        }
        j++;
      } else if (ch === '"' && field.length === 0) {
        quoted = true;
        j++;
      } else if (ch === ",") {
        fields.push(field);
        field = "";
        j++;
      } else if (ch === "\n" || ch === "\r") {
        if (ch === "\r" && j + 1 >= text.length && !options.final) break;
        j += ch === "\r" && text[j + 1] === "\n" ? 2 : 1;
        complete = true;
        break;
      } else {
        field += ch;
        j++;
      }
    }
    if (!complete) {
      if (!options.final || j < text.length) break;
      if (quoted) throw new CsvError("A quoted field is not closed before the end of the file");
    }
    fields.push(field);
    i = j;
    consumed = j;
    if (!(fields.length === 1 && fields[0] === "")) records.push(fields);
  }
  return { records, consumed };
}

// Spreadsheet apps run cells starting with these as formulas (CSV injection); such cells are written with a leading quote.
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvField(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) || safe !== safe.trim() ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Undoes csvField's formula guard when reading a file we (or a spreadsheet) wrote. */
export function unguardField(value: string): string {
  return value.startsWith("'") && FORMULA_START.test(value.slice(1)) ? value.slice(1) : value;
}

export function csvLine(values: string[]): string {
  return `${values.map(csvField).join(",")}\n`;
}

/** A CSV record as a column → cell map (header names lower-cased and trimmed). */
export function recordMap(header: string[], record: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  header.forEach((name, i) => {
    out[name] = unguardField((record[i] ?? "").trim());
  });
  return out;
}

/** Column names lower-cased and trimmed, except what follows a `prefix` (attribute slugs keep their case). */
export function normalizeHeader(header: string[], prefix = "attribute:"): string[] {
  return header.map((h) => {
    const name = h.replace(/^\uFEFF/, "").trim();
    return name.toLowerCase().startsWith(prefix) ? `${prefix}${name.slice(prefix.length).trim()}` : name.toLowerCase();
  });
}

/** Rows that failed, as a CSV the seller can fix and upload again: the original cells plus why. */
export function errorRows(failures: { line: number; record: string[]; message: string }[]): string {
  return failures.map((f) => csvLine([String(f.line), ...f.record, f.message])).join("");
}

export function errorHeader(header: string[]): string {
  return csvLine(["row", ...header, "error"]);
}
