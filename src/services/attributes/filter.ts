import { ApiError } from "../../errors";
import type { Bound, FilterPlan, FilterTerm, IndexColumn, Match } from "../../db/user-filter-sql";
import { FILTER_OPERATORS, MAX_CONDITIONS, type FilterOperator } from "../../schemas/attribute-vocabulary";
import type { AttributeModel } from "./model";
import { checkElement, KIND, parseDay, parseInstant, monthDayOf, type Kind } from "./types";
import { normalizeEmail, normalizePhone } from "../../schemas/contacts";

export const MAX_LIST_VALUES = 50;

export interface FilterCondition {
  definition_id: string;
  type: FilterOperator;
  value: unknown;
  ignore_year?: boolean;
}

export interface FilterSpec {
  join: "and" | "or";
  conditions: FilterCondition[];
  email?: string;
  phone?: string;
  countryCode?: string;
  hasEmail?: boolean;
  hasPhone?: boolean;
}

const NEGATION: Partial<Record<FilterOperator, FilterOperator>> = { ne: "eq", nct: "cnt", nis: "is", nin: "in" };

const OPERATORS_BY_KIND: Record<Exclude<Kind, "json">, readonly FilterOperator[]> = {
  text: FILTER_OPERATORS,
  number: ["eq", "ne", "is", "nis", "gt", "lt", "gte", "lte", "btw", "in", "nin"],
  boolean: ["eq", "ne", "is", "nis"],
  date: ["eq", "ne", "is", "nis", "gt", "lt", "gte", "lte", "btw", "in", "nin"],
  datetime: ["eq", "ne", "is", "nis", "gt", "lt", "gte", "lte", "btw", "in", "nin"],
};

const DAY_MS = 86_400_000;

class ConditionError extends Error {}

const at = (value: number | string, inclusive = true): Bound => ({ value, inclusive });

/** The next string in code-point order after every string starting with `prefix`. */
export function prefixEnd(prefix: string): string {
  const points = [...prefix];
  while (points.length) {
    const last = points.pop()!.codePointAt(0)!;
    let next = last + 1;
    if (next >= 0xd800 && next <= 0xdfff) next = 0xe000;
    if (next <= 0x10ffff) return points.join("") + String.fromCodePoint(next);
  }
  return "\u{10ffff}".repeat(2);
}

/** A date condition value as a half-open interval [lo, hi) of epoch ms: a whole day, or one instant. */
function interval(value: unknown): [number, number] {
  const text = typeof value === "string" ? value : "";
  const day = parseDay(text);
  if (day !== undefined) return [day, day + DAY_MS];
  const instant = parseInstant(text);
  if (instant !== undefined) return [instant, instant + 1];
  throw new ConditionError("needs a date like 2024-05-31 or an ISO date-time like 2024-05-31T10:00:00Z");
}

function monthDay(value: unknown): number {
  const text = typeof value === "string" ? value : "";
  const md = /^(\d{2})-(\d{2})$/.exec(text);
  if (md && parseDay(`2000-${text}`) !== undefined) return Number(md[1]) * 100 + Number(md[2]);
  const day = parseDay(text) ?? parseInstant(text);
  if (day === undefined) throw new ConditionError("with ignore_year needs a date like 2024-05-31 or 05-31");
  return monthDayOf(day);
}

function scalar(type: FilterOperator, value: unknown): unknown {
  if (Array.isArray(value)) {
    if (value.length === 1) return value[0];
    throw new ConditionError(`"${type}" takes one value, not a list`);
  }
  if (value === null || value === undefined || typeof value === "object") throw new ConditionError("needs a value");
  return value;
}

function pair(value: unknown): [unknown, unknown] {
  if (Array.isArray(value) && value.length === 2) return [value[0], value[1]];
  if (value && typeof value === "object" && "from" in value && "to" in value) return [value.from, value.to];
  throw new ConditionError('"btw" needs two values: [from, to] or {"from": …, "to": …}');
}

function list(value: unknown): unknown[] {
  const values = Array.isArray(value) ? value : [value];
  if (values.length === 0 || values.length > MAX_LIST_VALUES) throw new ConditionError(`needs 1 to ${MAX_LIST_VALUES} values`);
  return values.map((v) => scalar("in", v));
}

/** The comparison form of a text operand: how the index stores it (`value_fold` is lower-cased). */
function textOperand(model: AttributeModel, value: unknown): { text: string; fold: string } {
  if (typeof value !== "string" && typeof value !== "number") throw new ConditionError("needs a string");
  let text = String(value);
  if (model.type === "email") text = normalizeEmail(text) ?? text;
  if (model.type === "phone") text = normalizePhone(text)?.e164 ?? text;
  if (text.length === 0 || text.length > 1000) throw new ConditionError("needs a non-empty string of at most 1000 characters");
  return { text, fold: text.toLowerCase() };
}

function numberOperand(value: unknown): number {
  const checked = checkElement("number", value);
  if (!checked.ok) throw new ConditionError("needs a number");
  return checked.value as number;
}

function booleanOperand(value: unknown): number {
  const checked = checkElement("boolean", value);
  if (!checked.ok) throw new ConditionError("needs true or false");
  return checked.value ? 1 : 0;
}

/** Comparison operators over point operands (numbers, text, month-days). */
function pointMatch(op: FilterOperator, operand: (v: unknown) => number | string, value: unknown): Match {
  switch (op) {
    case "eq":
    case "is": {
      const v = operand(scalar(op, value));
      return { kind: "range", lower: at(v), upper: at(v) };
    }
    case "gt":
      return { kind: "range", lower: at(operand(scalar(op, value)), false) };
    case "gte":
      return { kind: "range", lower: at(operand(scalar(op, value))) };
    case "lt":
      return { kind: "range", upper: at(operand(scalar(op, value)), false) };
    case "lte":
      return { kind: "range", upper: at(operand(scalar(op, value))) };
    case "btw": {
      const [from, to] = pair(value);
      return { kind: "range", lower: at(operand(from)), upper: at(operand(to)) };
    }
    case "in":
      return { kind: "in", values: list(value).map(operand) };
    default:
      throw new ConditionError(`"${op}" does not apply here`);
  }
}

/** Date operators: a date-only operand means the whole (UTC) day, so `eq 2024-05-31` matches any time that day. */
function dateMatch(op: FilterOperator, value: unknown): Match {
  const day = (v: unknown) => interval(v);
  switch (op) {
    case "eq":
    case "is": {
      const [lo, hi] = day(scalar(op, value));
      return { kind: "range", lower: at(lo), upper: at(hi, false) };
    }
    case "gt":
      return { kind: "range", lower: at(day(scalar(op, value))[1]) };
    case "gte":
      return { kind: "range", lower: at(day(scalar(op, value))[0]) };
    case "lt":
      return { kind: "range", upper: at(day(scalar(op, value))[0], false) };
    case "lte":
      return { kind: "range", upper: at(day(scalar(op, value))[1], false) };
    case "btw": {
      const [from, to] = pair(value);
      return { kind: "range", lower: at(day(from)[0]), upper: at(day(to)[1], false) };
    }
    case "in":
      return { kind: "any", of: list(value).map((v) => dateMatch("eq", v)) };
    default:
      throw new ConditionError(`"${op}" does not apply here`);
  }
}

/** Year-less date operators on MMDD; a `btw` across the new year (12-20 to 01-10) wraps around. */
function monthDayMatch(op: FilterOperator, value: unknown): Match {
  if (op === "btw") {
    const [from, to] = pair(value).map(monthDay) as [number, number];
    if (from <= to) return { kind: "range", lower: at(from), upper: at(to) };
    return { kind: "any", of: [{ kind: "range", lower: at(from) }, { kind: "range", upper: at(to) }] };
  }
  return pointMatch(op, monthDay, value);
}

function textMatch(model: AttributeModel, op: FilterOperator, value: unknown): Match {
  const operand = (v: unknown) => textOperand(model, v);
  switch (op) {
    case "is": {
      const { text, fold } = operand(scalar(op, value));
      return { kind: "exact", fold, text };
    }
    case "cnt":
      return { kind: "contains", value: operand(scalar(op, value)).fold };
    case "ew":
      return { kind: "suffix", value: operand(scalar(op, value)).fold };
    case "sw": {
      const { fold } = operand(scalar(op, value));
      return { kind: "range", lower: at(fold), upper: at(prefixEnd(fold), false) };
    }
    default:
      return pointMatch(op, (v) => operand(v).fold, value);
  }
}

function compileCondition(model: AttributeModel, condition: FilterCondition): FilterTerm {
  const kind = KIND[model.type];
  if (model.row.encrypted) throw new ConditionError(`attribute "${model.row.slug}" is encrypted and cannot be searched`);
  if (kind === "json") throw new ConditionError(`attribute "${model.row.slug}" holds JSON and cannot be searched`);
  if (!OPERATORS_BY_KIND[kind].includes(condition.type)) {
    throw new ConditionError(`operator "${condition.type}" does not apply to ${model.type} attribute "${model.row.slug}"`);
  }
  const negated = NEGATION[condition.type] !== undefined;
  const op = NEGATION[condition.type] ?? condition.type;
  const base = { definitionKey: model.row.key, multi: model.row.isMultiValue, enumerated: model.row.type === "enum", negated };
  if (condition.ignore_year) {
    if (kind !== "date" && kind !== "datetime") throw new ConditionError("ignore_year applies only to date and datetime attributes");
    return { ...base, column: "month_day", match: monthDayMatch(op, condition.value) };
  }
  switch (kind) {
    case "text":
      return { ...base, column: "value_fold", match: textMatch(model, op, condition.value) };
    case "number":
      return { ...base, column: "value_num", match: pointMatch(op, numberOperand, condition.value) };
    case "boolean":
      return { ...base, column: "value_num", match: pointMatch(op, booleanOperand, condition.value) };
    default:
      return { ...base, column: "value_num", match: dateMatch(op, condition.value) };
  }
}

const invalidFilter = (message: string) => new ApiError(400, "FILTER_INVALID", message);

/**
 * Checks a filter against the application's definitions and turns it into a plan. Every mistake
 * (unknown definition, operator that does not fit the type, malformed operand) is a 400 naming
 * the condition.
 */
export function planFilter(models: Map<string, AttributeModel>, spec: FilterSpec): FilterPlan {
  if (spec.conditions.length > MAX_CONDITIONS) throw invalidFilter(`conditions: at most ${MAX_CONDITIONS} conditions`);
  const terms = spec.conditions.map((condition, i) => {
    const model = models.get(condition.definition_id);
    if (!model) {
      throw new ApiError(400, "ATTRIBUTE_DEFINITION_UNKNOWN", `conditions.${i}.definition_id: no attribute definition "${condition.definition_id}" in this application`);
    }
    try {
      return compileCondition(model, condition);
    } catch (error) {
      if (error instanceof ConditionError) throw invalidFilter(`conditions.${i} (${model.row.slug} ${condition.type}): ${error.message}`);
      throw error;
    }
  });
  const plan: FilterPlan = { join: spec.join, terms, hasEmail: spec.hasEmail, hasPhone: spec.hasPhone };
  if (spec.email !== undefined) {
    const email = normalizeEmail(spec.email);
    if (!email) throw invalidFilter("email: not an email address");
    plan.email = email;
  }
  if (spec.phone !== undefined) {
    const phone = normalizePhone(spec.phone, spec.phone.trim().startsWith("+") ? undefined : spec.countryCode);
    const digits = spec.phone.replace(/[\s-]/g, "");
    if (phone) plan.phone = { e164: phone.e164 };
    else if (/^\d{4,15}$/.test(digits)) plan.phone = { national: digits };
    else throw invalidFilter("phone: not a phone number");
  }
  return plan;
}
