import type { IndexEntry } from "../../db/attributes-repo";
import type { AttributeType } from "../../schemas/attribute-vocabulary";
import { normalizeEmail, normalizePhone } from "../../schemas/contacts";

/** How a type is stored and searched. */
export type Kind = "text" | "number" | "boolean" | "date" | "datetime" | "json";

export const KIND: Record<AttributeType, Kind> = {
  string: "text",
  email: "text",
  url: "text",
  phone: "text",
  enum: "text",
  select: "text",
  number: "number",
  boolean: "boolean",
  date: "date",
  datetime: "datetime",
  json: "json",
};

export type Scalar = string | number | boolean;
export type JsonValue = Scalar | null | JsonValue[] | { [key: string]: JsonValue };
/** A stored attribute value: one element, or a list for multi-value attributes. */
export type AttributeValue = JsonValue;

export const MAX_TEXT_LENGTH = 1000;
export const MAX_JSON_BYTES = 8192;
export const MAX_MULTI_VALUES = 50;

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };
const fail = (message: string): Checked<never> => ({ ok: false, message });
const pass = <T>(value: T): Checked<T> => ({ ok: true, value });

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const NUMERIC = /^\s*-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

/** Epoch ms of a YYYY-MM-DD calendar date (UTC midnight), or undefined if it is not a real date. */
export function parseDay(text: string): number | undefined {
  const m = DATE.exec(text);
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(year, month - 1, day);
  const d = new Date(ms);
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day ? ms : undefined;
}

/** Epoch ms of an ISO 8601 date-time with a time zone, or undefined. */
export function parseInstant(text: string): number | undefined {
  if (!DATETIME.test(text) || parseDay(text.slice(0, 10)) === undefined) return undefined;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : undefined;
}

export function monthDayOf(ms: number): number {
  const d = new Date(ms);
  return (d.getUTCMonth() + 1) * 100 + d.getUTCDate();
}

function checkText(input: unknown): Checked<string> {
  if (typeof input !== "string") return fail("must be a string");
  if (input.length > MAX_TEXT_LENGTH) return fail(`must be at most ${MAX_TEXT_LENGTH} characters long`);
  return pass(input);
}

/** Checks (and normalises) one element of a value against its type, as JSON delivers it. */
export function checkElement(type: AttributeType, input: unknown): Checked<JsonValue> {
  switch (type) {
    case "string":
    case "enum":
    case "select":
      return checkText(input);
    case "number": {
      const n = typeof input === "number" ? input : typeof input === "string" && NUMERIC.test(input) ? Number(input) : NaN;
      return Number.isFinite(n) ? pass(n) : fail("must be a number");
    }
    case "boolean":
      if (typeof input === "boolean") return pass(input);
      if (typeof input === "string" && /^(true|false)$/i.test(input)) return pass(input.toLowerCase() === "true");
      return fail("must be true or false");
    case "date":
      return typeof input === "string" && parseDay(input) !== undefined ? pass(input) : fail("must be a date like 2024-05-31");
    case "datetime": {
      const ms = typeof input === "string" ? parseInstant(input) : undefined;
      return ms === undefined
        ? fail("must be an ISO date-time with a time zone, like 2024-05-31T10:00:00Z")
        : pass(new Date(ms).toISOString());
    }
    case "email": {
      const email = typeof input === "string" ? normalizeEmail(input) : undefined;
      return email ? pass(email) : fail("must be an email address");
    }
    case "url": {
      const text = checkText(input);
      if (!text.ok) return text;
      let url: URL;
      try {
        url = new URL(text.value);
      } catch {
        return fail("must be an absolute http(s) URL");
      }
      return url.protocol === "http:" || url.protocol === "https:" ? pass(text.value) : fail("must be an absolute http(s) URL");
    }
    case "phone": {
      const phone = typeof input === "string" ? normalizePhone(input) : undefined;
      return phone ? pass(phone.e164) : fail("must be a phone number in international form, like +919876543210");
    }
    case "json": {
      if (input === undefined) return fail("must be a JSON value");
      const size = new TextEncoder().encode(JSON.stringify(input)).byteLength;
      return size <= MAX_JSON_BYTES ? pass(input as JsonValue) : fail(`must be at most ${MAX_JSON_BYTES} bytes of JSON`);
    }
  }
}

/** Reads one element from text (a CSV cell or a definition's default_value). */
export function elementFromText(type: AttributeType, text: string): Checked<JsonValue> {
  if (type === "boolean") {
    const t = text.trim().toLowerCase();
    if (["true", "1", "yes"].includes(t)) return pass(true);
    if (["false", "0", "no"].includes(t)) return pass(false);
    return fail("must be true or false");
  }
  if (type === "json") {
    try {
      return checkElement(type, JSON.parse(text));
    } catch {
      return fail("must be valid JSON");
    }
  }
  return checkElement(type, type === "number" ? text.trim() : text);
}

/** Text form of a value for CSV: scalars as themselves, lists and JSON as JSON. */
export function valueToText(value: AttributeValue, multi: boolean, type: AttributeType): string {
  if (multi || type === "json") return JSON.stringify(value);
  return String(value);
}

/** Splits a multi-value cell: a JSON array, or elements separated by `|`. */
export function splitMultiText(text: string): string[] {
  const trimmed = text.trim();
  if (trimmed.startsWith("[")) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (Array.isArray(parsed)) return parsed.map((v) => (typeof v === "string" ? v : JSON.stringify(v)));
    } catch {
      // Not JSON: fall through to the `|` form.
    }
  }
  return trimmed === "" ? [] : trimmed.split("|").map((v) => v.trim());
}

/**
 * The extra index row of a non-empty multi-value attribute: every column null, so no condition
 * matches it, and the users having a value are read one row each (`<column> is null` on the
 * column's index; element rows always fill the column their type uses) rather than one per element.
 */
export const PRESENCE_ENTRY: IndexEntry = { valueText: null, valueFold: null, valueNum: null, monthDay: null };

export function indexEntry(type: AttributeType, element: JsonValue): IndexEntry | undefined {
  switch (KIND[type]) {
    case "text":
      return { valueText: String(element), valueFold: String(element).toLowerCase(), valueNum: null, monthDay: null };
    case "number":
      return { valueText: null, valueFold: null, valueNum: element as number, monthDay: null };
    case "boolean":
      return { valueText: null, valueFold: null, valueNum: element ? 1 : 0, monthDay: null };
    case "date":
    case "datetime": {
      const ms = KIND[type] === "date" ? parseDay(element as string)! : Date.parse(element as string);
      return { valueText: null, valueFold: null, valueNum: ms, monthDay: monthDayOf(ms) };
    }
    case "json":
      return undefined;
  }
}
