import type { AttributeType } from "../../schemas/attribute-vocabulary";
import { KIND, parseDay, parseInstant, type JsonValue } from "./types";

/** A definition's validation entry as the SDK sends it: `{type: "min", value: 1}`. */
export interface ValidationRule {
  type: string;
  value: unknown;
}

export const RULE_TYPES = ["min", "max", "min_length", "max_length", "length", "regex", "options"] as const;
export const MAX_REGEX_LENGTH = 200;

/** A rule ready to check elements; `check` answers the failure message, or undefined when it passes. */
export interface CompiledRule {
  type: string;
  check(element: JsonValue): string | undefined;
}

/** Raised when a definition's validations make no sense for its type. */
export class RuleError extends Error {}

const QUANTIFIER = /^(\*|\+|\?|\{\d+(,\d*)?\})/;

/**
 * Why a pattern could backtrack catastrophically, or undefined. Rejected: long patterns,
 * back-references, and quantified groups that themselves contain a quantifier or an alternation
 * (`(a+)+`, `(a|a)*`), the shapes behind exponential matching. Values tested against a pattern are
 * also bounded in length (MAX_TEXT_LENGTH), which caps what polynomial cases can cost.
 */
export function unsafePatternReason(pattern: string): string | undefined {
  if (pattern.length > MAX_REGEX_LENGTH) return `is longer than ${MAX_REGEX_LENGTH} characters`;
  if (/\\[1-9]|\\k</.test(pattern)) return "uses a back-reference";
  const groups: { quantified: boolean; alternation: boolean }[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === "\\") {
      i++;
    } else if (ch === "[") {
      i++;
      while (i < pattern.length && pattern[i] !== "]") i += pattern[i] === "\\" ? 2 : 1;
    } else if (ch === "(") {
      groups.push({ quantified: false, alternation: false });
      if (pattern[i + 1] === "?") i += pattern[i + 2] === "<" && pattern[i + 3] !== "=" && pattern[i + 3] !== "!" ? 2 : 1;
    } else if (ch === ")") {
      const group = groups.pop();
      const quantifiedGroup = QUANTIFIER.test(pattern.slice(i + 1));
      if (quantifiedGroup && group && (group.quantified || group.alternation)) {
        return "repeats a group that itself repeats or alternates (catastrophic backtracking)";
      }
      const parent = groups.at(-1);
      if (parent && (quantifiedGroup || group?.quantified)) parent.quantified = true;
      continue;
    } else if (ch === "|") {
      const top = groups.at(-1);
      if (top) top.alternation = true;
      continue;
    }
    const top = groups.at(-1);
    if (top && QUANTIFIER.test(pattern.slice(i + 1))) top.quantified = true;
  }
  return undefined;
}

function compilePattern(value: unknown): RegExp {
  if (typeof value !== "string" || value.length === 0) throw new RuleError("regex needs a pattern string");
  const unsafe = unsafePatternReason(value);
  if (unsafe) throw new RuleError(`regex pattern ${unsafe}`);
  try {
    return new RegExp(value);
  } catch {
    throw new RuleError("regex is not a valid regular expression");
  }
}

function nonNegativeInt(rule: ValidationRule): number {
  if (typeof rule.value !== "number" || !Number.isInteger(rule.value) || rule.value < 0) {
    throw new RuleError(`${rule.type} needs a whole number of characters`);
  }
  return rule.value;
}

function lengthRule(rule: ValidationRule): CompiledRule {
  const n = nonNegativeInt(rule);
  const length = (e: JsonValue) => [...String(e)].length;
  switch (rule.type) {
    case "min":
    case "min_length":
      return { type: rule.type, check: (e) => (length(e) < n ? `must be at least ${n} characters long` : undefined) };
    case "max":
    case "max_length":
      return { type: rule.type, check: (e) => (length(e) > n ? `must be at most ${n} characters long` : undefined) };
    default:
      return { type: rule.type, check: (e) => (length(e) !== n ? `must be exactly ${n} characters long` : undefined) };
  }
}

function boundRule(rule: ValidationRule, kind: "number" | "date" | "datetime"): CompiledRule {
  const isMin = rule.type === "min";
  if (kind === "number") {
    if (typeof rule.value !== "number" || !Number.isFinite(rule.value)) throw new RuleError(`${rule.type} needs a number`);
    const bound = rule.value;
    return {
      type: rule.type,
      check: (e) =>
        isMin ? ((e as number) < bound ? `must be at least ${bound}` : undefined) : (e as number) > bound ? `must be at most ${bound}` : undefined,
    };
  }
  const text = typeof rule.value === "string" ? rule.value : "";
  const bound = parseDay(text) ?? parseInstant(text);
  if (bound === undefined) throw new RuleError(`${rule.type} needs a date like 2024-05-31 or an ISO date-time`);
  const ms = (e: JsonValue) => (kind === "date" ? parseDay(e as string)! : Date.parse(e as string));
  return {
    type: rule.type,
    check: (e) =>
      isMin ? (ms(e) < bound ? `must be on or after ${text}` : undefined) : ms(e) > bound ? `must be on or before ${text}` : undefined,
  };
}

export function optionsRule(options: string[]): CompiledRule {
  const allowed = new Set(options);
  const listed = options.length > 10 ? `${options.slice(0, 10).join(", ")}, …` : options.join(", ");
  return { type: "options", check: (e) => (allowed.has(String(e)) ? undefined : `must be one of: ${listed}`) };
}

/** The options a definition allows: its `options` field, or an `options` validation. */
export function optionsOf(rules: ValidationRule[], options: string[] | undefined): string[] {
  if (options && options.length) return options;
  const rule = rules.find((r) => r.type === "options");
  if (!rule) return [];
  if (!Array.isArray(rule.value) || rule.value.some((o) => typeof o !== "string" || o.length === 0 || o.length > 200)) {
    throw new RuleError("options needs a list of non-empty strings");
  }
  return rule.value as string[];
}

/**
 * Compiles a definition's validations for its type, refusing rules that do not apply (a regex on a
 * number, a length on a boolean) so a definition never silently ignores what its author asked for.
 */
export function compileRules(type: AttributeType, rules: ValidationRule[], options: string[]): CompiledRule[] {
  const kind = KIND[type];
  const compiled: CompiledRule[] = [];
  for (const rule of rules) {
    if (!(RULE_TYPES as readonly string[]).includes(rule.type)) {
      throw new RuleError(`unknown validation "${rule.type}" (known: ${RULE_TYPES.join(", ")})`);
    }
    if (rule.type === "options") continue;
    if (kind === "boolean" || kind === "json") throw new RuleError(`validation "${rule.type}" does not apply to ${type} attributes`);
    if (kind === "text") {
      compiled.push(rule.type === "regex" ? regexRule(compilePattern(rule.value)) : lengthRule(rule));
    } else if (rule.type === "min" || rule.type === "max") {
      compiled.push(boundRule(rule, kind));
    } else {
      throw new RuleError(`validation "${rule.type}" does not apply to ${type} attributes`);
    }
  }
  if (options.length) {
    if (kind !== "text") throw new RuleError(`options do not apply to ${type} attributes`);
    compiled.push(optionsRule(options));
  } else if (type === "enum" || type === "select") {
    throw new RuleError(`${type} attributes need options`);
  }
  return compiled;
}

function regexRule(pattern: RegExp): CompiledRule {
  return { type: "regex", check: (e) => (pattern.test(String(e)) ? undefined : `must match the pattern /${pattern.source}/`) };
}
