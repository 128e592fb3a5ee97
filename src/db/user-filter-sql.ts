import { inArray, sql, type SQL } from "drizzle-orm";
import { SQLiteAsyncDialect } from "drizzle-orm/sqlite-core";
import { ApiError } from "../errors";
import { chunked, MAX_PARAMS } from "./attributes-repo";
import { readAll } from "./batch";
import type { Database } from "./client";
import { users } from "./schema/users";
import { addChunks, allOf, BIT_CODE, bitsReads, CHUNK_SUBJECTS, CodeSets, enumReads, integerSpan, numberReads, presenceReads, slicedRange, textCodes, wordStart, type ChunkRows } from "./attribute-bits";
import { SubjectSet } from "./subject-set";
import type { UserRow } from "./users-repo";

/* The plan of an attribute filter, as services/attributes/filter.ts builds it from a request: what the SQL below runs. */

export interface Bound {
  value: number | string;
  inclusive: boolean;
}

/** What a value column must satisfy: a range (equality is a closed one-point range), a list, or text containment. */
export type Match =
  | { kind: "range"; lower?: Bound; upper?: Bound }
  | { kind: "any"; of: Match[] }
  | { kind: "in"; values: (number | string)[] }
  | { kind: "exact"; fold: string; text: string }
  | { kind: "contains" | "suffix"; value: string };

export type IndexColumn = "value_fold" | "value_num" | "month_day";

/**
 * One condition, ready for SQL: users having an index row of the definition that matches, or for a
 * negated term, users having a value of the definition and no element that matches (an empty list
 * of a multi-value attribute counts as no value).
 */
export interface FilterTerm {
  /** The definition's key in the search index. */
  definitionKey: number;
  /** Multi-value: several index rows per user, so matches need de-duplicating. */
  multi: boolean;
  /** An enum attribute: its values have equality bitmaps (attribute-bits.ts). */
  enumerated: boolean;
  column: IndexColumn;
  negated: boolean;
  match: Match;
}

export interface FilterPlan {
  join: "and" | "or";
  terms: FilterTerm[];
  email?: string;
  phone?: { e164: string } | { national: string };
  hasEmail?: boolean;
  hasPhone?: boolean;
}

/*
 * Selecting users of an application: by attribute conditions, contacts, or group membership.
 *
 * Attribute conditions run on the search index (attribute_values: typed columns, integer keys). An
 * `and` filter is driven by its most selective positive condition (estimated with counts capped at
 * `estimateCap`, so estimating is cheap): that condition's index range gives the candidates and every
 * other condition is an index probe per candidate. When every positive condition is broad, each
 * condition's matches are read as one list per subject range and intersected in the Worker
 * (SubjectSet), which gives the exact count; the page is then read by walking subjects newest first
 * and probing, or from the matched subjects when they are few. (Contact conditions, or more ranges
 * than a batch should carry, fall back to intersecting in SQL, which is exact but slower.) An `or`
 * filter is the union of each condition's matches. Matches are ordered by the users' creation time,
 * carried on attribute_subjects, so only the page's users are read from the users table. Nothing
 * here parses JSON.
 */

const dialect = new SQLiteAsyncDialect();
// D1 refuses statements with more than 100 bound parameters.
const D1_MAX_PARAMS = 100;

/** Where the filter engine switches strategies (measured at 100k customers: see bench/README.md); tests lower them to reach every path. */
export interface FilterTuning {
  /** Index rows above which a condition counts as broad: probing that many candidates costs more than intersecting sets. */
  estimateCap: number;
  /**
   * Subjects per list when sets are read for the Worker: D1 caps a string at 2 MB, and a list holds
   * at most this many distinct subjects of up to 10 digits plus a comma.
   */
  setSpan: number;
  /** More lists than this in one batch (each counts as a D1 query against the per-invocation limit): intersect in SQL instead. */
  maxSetLists: number;
  /** Up to this many matches, the page is read from the matched subjects rather than by walking all subjects. */
  listMax: number;
  /**
   * What probing one candidate for one condition costs, in index rows read into a list (≈ 1.4 µs
   * against ≈ 0.06 µs at 1M customers, bench/README.md): with every condition broad, the smallest
   * one still drives when its size × the other conditions × this is at most what reading every
   * condition for the Worker costs (a condition the bitmaps answer: BITMAP_READ_COST).
   */
  probeCost: number;
  /**
   * Subjects the bitmaps leave undecided (numbers the slices do not hold: negative, fractional,
   * ≥ 2^43; candidates of a text operand longer than a pair: attribute-bits.ts) are checked one by
   * one up to this many; with more, that condition is read as lists.
   */
  outlierProbes: number;
}

export const FILTER_TUNING: FilterTuning = { estimateCap: 20_000, setSpan: 150_000, maxSetLists: 30, listMax: 2_000, probeCost: 20, outlierProbes: 2_000 };

/** A set of users to page through: `from` is a FROM … WHERE … clause; `id` and `order` are expressions over it. */
export interface Selection {
  from: SQL;
  id: SQL;
  order: SQL;
  /** `order` reversed: with `total` known, a page nearer the end is read from the end. */
  backward?: SQL;
  /** The number of users selected, when already counted exactly (pages then skip counting). */
  total?: number;
}

function matchSql(alias: string, column: string, match: Match): SQL {
  const col = sql.raw(`${alias}.${column}`);
  switch (match.kind) {
    case "range": {
      const { lower, upper } = match;
      if (lower && upper && lower.inclusive && upper.inclusive && lower.value === upper.value) return sql`${col} = ${lower.value}`;
      const parts: SQL[] = [];
      if (lower) parts.push(lower.inclusive ? sql`${col} >= ${lower.value}` : sql`${col} > ${lower.value}`);
      if (upper) parts.push(upper.inclusive ? sql`${col} <= ${upper.value}` : sql`${col} < ${upper.value}`);
      return sql.join(parts, sql` and `);
    }
    case "any":
      return sql`(${sql.join(match.of.map((m) => sql`(${matchSql(alias, column, m)})`), sql` or `)})`;
    case "in":
      return sql`${col} in (${sql.join(match.values.map((v) => sql`${v}`), sql`, `)})`;
    case "exact":
      return sql`${col} = ${match.fold} and ${sql.raw(`${alias}.value_text`)} = ${match.text}`;
    case "contains":
      return sql`instr(${col}, ${match.value}) > 0`;
    case "suffix":
      return sql`substr(${col}, ${-[...match.value].length}) = ${match.value}`;
  }
}

/** Index rows of the term's attribute whose value matches (alias `a`). */
const matching = (term: FilterTerm, alias = "a") =>
  sql`attribute_values ${sql.raw(alias)} where ${sql.raw(alias)}.def_key = ${term.definitionKey} and ${matchSql(alias, term.column, term.match)}`;

/** Whether subject `s.seq` satisfies a term: a correlated probe on the (subject, def_key, …) index. */
function probe(term: FilterTerm): SQL {
  const hit = sql`exists (select 1 from ${matching(term, "p")} and p.subject = s.seq)`;
  if (!term.negated) return hit;
  const has = sql`exists (select 1 from attribute_values h where h.subject = s.seq and h.def_key = ${term.definitionKey})`;
  return sql`${has} and not ${hit}`;
}

/** The subjects a term selects, as a set (for unions). */
function termSet(term: FilterTerm): SQL {
  const positive = sql`select a.subject from ${matching(term)}`;
  if (!term.negated) return positive;
  return sql`select subject from (select h.subject from attribute_values h where h.def_key = ${term.definitionKey} except ${positive})`;
}

function contactPredicates(applicationId: string, plan: FilterPlan, id: SQL): SQL[] {
  const parts: SQL[] = [];
  if (plan.email !== undefined) {
    parts.push(sql`${id} in (select user_id from user_emails where application_id = ${applicationId} and email = ${plan.email} and active = 1)`);
  }
  if (plan.phone !== undefined) {
    parts.push(
      "e164" in plan.phone
        ? sql`${id} in (select user_id from user_phones where application_id = ${applicationId} and e164 = ${plan.phone.e164} and active = 1)`
        : sql`${id} in (select user_id from user_phones where application_id = ${applicationId} and phone = ${plan.phone.national} and active = 1)`,
    );
  }
  if (plan.hasEmail !== undefined) {
    const exists = sql`exists (select 1 from user_emails e where e.user_id = ${id} and e.active = 1)`;
    parts.push(plan.hasEmail ? exists : sql`not ${exists}`);
  }
  if (plan.hasPhone !== undefined) {
    const exists = sql`exists (select 1 from user_phones ph where ph.user_id = ${id} and ph.active = 1)`;
    parts.push(plan.hasPhone ? exists : sql`not ${exists}`);
  }
  return parts;
}

const where = (parts: SQL[]) => (parts.length ? sql` where ${sql.join(parts, sql` and `)}` : sql``);

const subjectsOrder = sql`s.created_at desc, s.seq desc`;
const subjectsBackward = sql`s.created_at asc, s.seq asc`;
const usersOrder = sql`u.created_at desc, u.id desc`;

/** Every user of the application matching a predicate over `users u`. */
export function usersSelection(applicationId: string, predicates: SQL[] = []): Selection {
  return { from: sql`users u${where([sql`u.application_id = ${applicationId}`, ...predicates])}`, id: sql`u.id`, order: usersOrder };
}

/** Members of a bulk group. */
export function groupMembersSelection(applicationId: string, groupId: string): Selection {
  return usersSelection(applicationId, [sql`u.id in (select user_id from user_group_members where group_id = ${groupId})`]);
}

function prepare(d1: D1Database, query: SQL): D1PreparedStatement {
  const { sql: text, params } = dialect.sqlToQuery(query);
  if (params.length > D1_MAX_PARAMS) {
    throw new ApiError(400, "FILTER_TOO_COMPLEX", `The filter needs ${params.length} values; at most ${D1_MAX_PARAMS} fit in one query (use fewer conditions or shorter lists)`);
  }
  return d1.prepare(text).bind(...params);
}

/** Conditions answered by an index range (as opposed to contains/ends-with, which scan all of an attribute's values). */
const seekable = (term: FilterTerm) => term.match.kind !== "contains" && term.match.kind !== "suffix";

interface Driver {
  index: number;
  count: number;
  /** The subjects every match lies between: the overlap of the estimated conditions' attributes' subject ranges. */
  lo: number;
  hi: number;
  /**
   * With every condition broad: whether probing from the driver still costs less than reading every
   * condition's list, judged from each condition's density in a sample of subjects.
   */
  probeAnyway: boolean;
}

/**
 * The positive term to drive from: the seekable one matching the fewest index rows (counted up to
 * `cap`), else the first positive one. Scanning terms are not estimated (that would be a full scan
 * each); they are probed per candidate instead. When every count reaches the cap, each seekable
 * term's size is extrapolated from its matches among `cap` subjects sampled over its attribute's
 * range (in the same batch), and the sizes decide between probing from the smallest and
 * intersecting lists (FilterTuning.probeCost).
 */
const SAMPLE_WINDOWS = 8;

async function mostSelective(d1: D1Database, terms: FilterTerm[], tuning: FilterTuning): Promise<Driver | undefined> {
  const cap = tuning.estimateCap;
  const positive = terms.map((t, i) => ({ t, i })).filter(({ t }) => !t.negated);
  const candidates = positive.filter(({ t }) => seekable(t));
  const unbounded = { count: 0, lo: -Infinity, hi: Infinity, probeAnyway: false };
  if (candidates.length === 0) return positive[0] ? { index: positive[0].i, ...unbounded } : undefined;
  if (terms.length === 1) return { index: candidates[0]!.i, ...unbounded };
  const statements = candidates.flatMap(({ t }) => {
    const ofAttribute = sql`from attribute_values where def_key = ${t.definitionKey}`;
    return [
      prepare(d1, sql`select (select count(*) from (select 1 from ${matching(t)} limit ${cap})) as n, (select min(subject) ${ofAttribute}) as lo, (select max(subject) ${ofAttribute}) as hi`),
      // SAMPLE_WINDOWS windows of cap / SAMPLE_WINDOWS subjects spread over the attribute's range (values
      // often follow creation order, so the first subjects alone would mislead), each an index range.
      prepare(
        d1,
        sql`with recursive first(lo) as materialized (select min(subject) ${ofAttribute}),
          bounds(lo, step) as materialized (select lo, ((select max(subject) ${ofAttribute}) - lo + 1) / ${SAMPLE_WINDOWS} from first),
          w(k) as (select 0 union all select k + 1 from w where k < ${SAMPLE_WINDOWS - 1})
          select count(*) as sampled from bounds, w, attribute_values a indexed by attribute_values_def_subject_idx
          where a.def_key = ${t.definitionKey} and a.subject >= bounds.lo + w.k * bounds.step and a.subject < bounds.lo + w.k * bounds.step + ${Math.ceil(cap / SAMPLE_WINDOWS)}
            and ${matchSql("a", t.column, t.match)}`,
      ),
    ];
  });
  const results = await d1.batch(statements);
  const counts = candidates.map((_, k) => ({
    ...(results[2 * k]!.results[0] as { n: number; lo: number | null; hi: number | null }),
    sampled: (results[2 * k + 1]!.results[0] as { sampled: number } | undefined)?.sampled ?? 0,
  }));
  const best = { index: candidates[0]!.i, count: Infinity, lo: -Infinity, hi: Infinity, probeAnyway: false };
  const sizes: number[] = [];
  counts.forEach((row, k) => {
    const n = row.n ?? 0;
    if (n < best.count) Object.assign(best, { index: candidates[k]!.i, count: n });
    best.lo = Math.max(best.lo, row.lo ?? Infinity);
    best.hi = Math.min(best.hi, row.hi ?? -Infinity);
    const span = row.lo === null || row.hi === null ? 0 : row.hi - row.lo + 1;
    const sampledSpan = Math.min(span, SAMPLE_WINDOWS * Math.ceil(cap / SAMPLE_WINDOWS));
    sizes.push(n < cap ? n : sampledSpan > 0 ? (row.sampled * span) / sampledSpan : 0);
  });
  if (best.count >= cap) {
    // Lists cost per index row read; the terms not estimated (negated, scanning) read about their
    // attribute's whole range, taken as the overlap's width; terms the bitmaps answer, their chunks.
    const smallest = Math.min(...sizes);
    const width = Math.max(0, best.hi - best.lo + 1);
    const estimated = new Map(candidates.map(({ i }, k) => [i, sizes[k]!]));
    const lists = terms.reduce((sum, term, i) => sum + (answeredByBitmaps(term) ? (width / CHUNK_SUBJECTS) * BITMAP_READ_COST : (estimated.get(i) ?? width)), 0);
    best.index = candidates[sizes.indexOf(smallest)]!.i;
    best.probeAnyway = smallest * (terms.length - 1) * tuning.probeCost <= lists;
  }
  return best;
}

const VALUE_INDEX: Record<FilterTerm["column"], string> = {
  value_num: "attribute_values_num_idx",
  value_fold: "attribute_values_fold_idx",
  month_day: "attribute_values_month_day_idx",
};

/**
 * Subjects of a condition's attribute between `from` and `to` whose index rows satisfy `condition`,
 * as one comma-separated list. `whole`: the range is the only one, so reading just the matching
 * values (rather than the attribute's rows in subject order) costs least.
 */
function listQuery(term: FilterTerm, condition: SQL, from: number, to: number, whole: boolean): SQL {
  const rows = sql`a.def_key = ${term.definitionKey} and ${condition} and a.subject between ${from} and ${to}`;
  // Several elements of one user may match: de-duplicated in subject order (the planner reads an
  // index that yields it: (def_key, value, subject) for one value, else (def_key, subject, …)).
  if (term.multi) return sql`select group_concat(subject) as list from (select distinct a.subject from attribute_values a where ${rows})`;
  const index = whole ? sql` indexed by ${sql.raw(VALUE_INDEX[term.column])}` : sql``;
  return sql`select group_concat(a.subject) as list from attribute_values a${index} where ${rows}`;
}

/**
 * A condition's matching subjects within [lo, hi] as lists of at most `span` subjects each (so none
 * exceeds D1's string limit), one per alternative of an `any` (a year-less range across new year, a
 * list of days): the set is their union, and each one is an index range, where their OR made SQLite
 * skip-scan the whole index (ANY(def_key) AND ANY(month_day)).
 */
function matchLists(term: FilterTerm, lo: number, hi: number, span: number, fits: boolean): SQL[] {
  const alternatives = alternativesOf(term).map((m) => matchSql("a", term.column, m));
  // Known to match fewer index rows than a list holds: one list read over the value index, i.e.
  // only the matching rows. Split by subject ranges, each range would read all the attribute's rows
  // in it (a range of values has no subject order), the whole attribute in the end.
  if (fits) return alternatives.map((alternative) => listQuery(term, alternative, lo, hi, true));
  const whole = hi - lo < span;
  const lists: SQL[] = [];
  for (let from = lo; from <= hi; from += span) {
    const to = Math.min(hi, from + span - 1);
    lists.push(...alternatives.map((alternative) => listQuery(term, alternative, from, to, whole)));
  }
  return lists;
}

/**
 * Where a condition's set comes from when sets are combined in the Worker: subject lists from the
 * index; for a range over a single-value number, its bit slices; for contains / ends with, the
 * bitmaps of the operand's characters and pairs; for eq / in over an enum, its values' bitmaps
 * (attribute-bits.ts); for a negated condition, the attribute's presence bits minus the subjects
 * matching the condition.
 */
type Source =
  | { kind: "lists"; reads: SQL[] }
  | { kind: "numbers"; reads: SQL[]; term: FilterTerm; span: { from: number; to: number } }
  | { kind: "text"; reads: SQL[]; term: FilterTerm; codes: number[]; exact: boolean }
  | { kind: "values"; reads: SQL[] }
  | { kind: "absent"; presence: SQL[]; matching: Source };

/** The integers a range over a single-value number covers, when its bit slices can answer it. */
const slicedSpanOf = (term: FilterTerm) =>
  !term.multi && term.column === "value_num" && term.match.kind === "range" ? integerSpan(term.match.lower, term.match.upper) : undefined;

const textCodesOf = (term: FilterTerm) => (term.match.kind === "contains" || term.match.kind === "suffix" ? textCodes(term.match.kind, term.match.value) : undefined);

/** The texts an equality or list condition over an enum attribute names (folded): its value bitmaps answer it. */
function enumValuesOf(term: FilterTerm): string[] | undefined {
  if (!term.enumerated || term.column !== "value_fold") return undefined;
  const { match } = term;
  if (match.kind === "in") return match.values.map(String);
  const point = match.kind === "range" && match.lower?.inclusive && match.upper?.inclusive && match.lower.value === match.upper.value;
  return point && typeof match.lower!.value === "string" ? [match.lower!.value] : undefined;
}

/** Whether a condition is read from bitmaps rather than index rows when sets are combined in the Worker. */
const answeredByBitmaps = (term: FilterTerm) => slicedSpanOf(term) !== undefined || textCodesOf(term) !== undefined || enumValuesOf(term) !== undefined;

/**
 * What reading a bitmap condition costs per 4,096 subjects, in list entries: ≈ 10 codes of one
 * chunk row, each ≈ 2.5 µs to read and parse against ≈ 0.06 µs a list entry (bench/README.md).
 */
const BITMAP_READ_COST = 400;

function sourceOf(term: FilterTerm, lo: number, hi: number, span: number, fits: boolean): Source {
  if (term.negated) {
    return { kind: "absent", presence: presenceReads(term.definitionKey, lo, hi), matching: sourceOf({ ...term, negated: false }, lo, hi, span, false) };
  }
  // A condition known to be small reads fewer index rows than the slices have words.
  const numbers = fits ? undefined : slicedSpanOf(term);
  if (numbers) return { kind: "numbers", reads: numberReads(term.definitionKey, numbers, lo, hi), term, span: numbers };
  const text = textCodesOf(term);
  if (text) return { kind: "text", reads: bitsReads(term.definitionKey, text.codes, lo, hi), term, ...text };
  const values = enumValuesOf(term);
  if (values) return { kind: "values", reads: enumReads(term.definitionKey, values, lo, hi) };
  return { kind: "lists", reads: matchLists(term, lo, hi, span, fits) };
}

const readsOf = (source: Source): SQL[] => (source.kind === "absent" ? [...source.presence, ...readsOf(source.matching)] : source.reads);

/** A row of a list query (listQuery): the subjects, comma-separated. */
type ListRow = { list: string | null } | undefined;

/**
 * The exact set of subjects matching every term (`and`: intersected) or any term (`or`: united),
 * combined in the Worker from one consistent batch (a transaction), and how many each term matches
 * alone; undefined when it would take more than `maxSetLists` reads. What the bitmaps leave
 * undecided (numbers outside the slices, candidates of a longer text operand) is read in a second
 * batch, only when there is any; the count and the page are separate reads anyway (see below).
 */
async function combineInWorker(
  d1: D1Database,
  join: FilterPlan["join"],
  terms: FilterTerm[],
  lowest: number,
  hi: number,
  tuning: FilterTuning,
  fits: boolean[] = [],
): Promise<{ matched: SubjectSet; sizes: number[] } | undefined> {
  // Bitmap words cover 64 subjects from a multiple of 64.
  const lo = Number.isFinite(lowest) ? wordStart(lowest) : lowest;
  const sources = terms.map((term, i) => sourceOf(term, lo, hi, tuning.setSpan, fits[i] ?? false));
  const reads = sources.flatMap(readsOf);
  if (reads.length > tuning.maxSetLists) return undefined;
  const results = reads.length ? await d1.batch(reads.map((q) => prepare(d1, q))) : [];
  let next = 0;
  const rows = () => results[next++]!.results;
  const followUps: { set: SubjectSet; reads: SQL[] }[] = [];
  // Each source's set, finished once the follow-ups have landed.
  const build = (source: Source): (() => SubjectSet) => {
    if (source.kind === "absent") {
      const present = new SubjectSet(lo, hi);
      for (const _ of source.presence) addChunks(present, rows() as ChunkRows);
      const matching = build(source.matching);
      return () => present.subtract(matching());
    }
    if (source.kind === "values") {
      const set = new SubjectSet(lo, hi);
      for (const _ of source.reads) addChunks(set, rows() as ChunkRows);
      return () => set;
    }
    if (source.kind === "lists") {
      const set = new SubjectSet(lo, hi);
      for (const _ of source.reads) set.addList((rows()[0] as ListRow)?.list ?? null);
      return () => set;
    }
    const codes = new CodeSets(lo, hi);
    for (const _ of source.reads) codes.add(rows() as ChunkRows);
    // Subjects the bitmaps leave undecided are checked against the index rows, one by one up to
    // `outlierProbes`, else by reading the condition's lists: numbers outside the slices, or the
    // candidates of a text operand longer than a pair.
    const check = (undecided: SubjectSet, into: SubjectSet) => {
      const { term } = source;
      followUps.push({
        set: into,
        reads:
          undecided.size <= tuning.outlierProbes
            ? [sql`select group_concat(a.subject) as list from attribute_values a where a.def_key = ${term.definitionKey} and a.subject in (select value from json_each(${JSON.stringify(undecided.members())})) and ${matchSql("a", term.column, term.match)}`]
            : matchLists(term, lo, hi, tuning.setSpan, false),
      });
    };
    if (source.kind === "text") {
      const candidates = allOf(codes, source.codes);
      if (source.exact) return () => candidates;
      const set = new SubjectSet(lo, hi);
      if (!candidates.empty) check(candidates, set);
      return () => set;
    }
    const set = slicedRange(codes, source.span.from, source.span.to);
    const outliers = codes.of(BIT_CODE.outlier);
    if (!outliers.empty) check(outliers, set);
    return () => set;
  };
  const finish = sources.map(build);
  if (followUps.length) {
    const more = await d1.batch(followUps.flatMap((f) => f.reads.map((q) => prepare(d1, q))));
    let k = 0;
    for (const followUp of followUps) for (const _ of followUp.reads) followUp.set.addList((more[k++]!.results[0] as ListRow)?.list ?? null);
  }
  let matched = new SubjectSet(lo, hi);
  const sizes = finish.map((done, i) => {
    const set = done();
    matched = i === 0 ? set : join === "and" ? matched.intersect(set) : matched.union(set);
    return set.size;
  });
  return { matched, sizes };
}

/** A term's match as index ranges: the alternatives of an `any`, else the match itself. */
const alternativesOf = (term: FilterTerm): Match[] => (term.match.kind === "any" ? term.match.of : [term.match]);

/**
 * For an `or`: the lowest and highest subject having a value of any of the terms' attributes, and
 * which terms match fewer than `cap` index rows (counted up to it, per alternative), all in one batch.
 */
async function unionPlan(d1: D1Database, terms: FilterTerm[], cap: number): Promise<{ lo: number; hi: number; fits: boolean[] }> {
  const keys = [...new Set(terms.map((t) => t.definitionKey))];
  const columns = keys.map(
    (key, i) =>
      sql`(select min(subject) from attribute_values where def_key = ${key}) as ${sql.raw(`lo${i}`)}, (select max(subject) from attribute_values where def_key = ${key}) as ${sql.raw(`hi${i}`)}`,
  );
  const counted = terms.map((t, i) => ({ t, i })).filter(({ t }) => !t.negated && seekable(t));
  const counts = counted.map(({ t }) => {
    const parts = alternativesOf(t).map((m) => sql`(select count(*) from (select 1 from attribute_values a where a.def_key = ${t.definitionKey} and ${matchSql("a", t.column, m)} limit ${cap}))`);
    return prepare(d1, sql`select ${sql.join(parts, sql` + `)} as n`);
  });
  const [bounds, ...results] = await d1.batch([prepare(d1, sql`select ${sql.join(columns, sql`, `)}`), ...counts]);
  const row = (bounds!.results[0] as Record<string, number | null> | undefined) ?? {};
  let lo = Infinity;
  let hi = -Infinity;
  keys.forEach((_, i) => {
    lo = Math.min(lo, row[`lo${i}`] ?? Infinity);
    hi = Math.max(hi, row[`hi${i}`] ?? -Infinity);
  });
  const fits = terms.map(() => false);
  counted.forEach(({ i }, k) => (fits[i] = ((results[k]!.results[0] as { n: number } | undefined)?.n ?? cap) < cap));
  return { lo, hi, fits };
}

/**
 * A selection whose members were counted in the Worker. Up to `listMax` matches it is those
 * subjects; with more, the page is found by walking subjects newest first and probing, `probes`
 * joined with `joiner`, ordered so the walk decides each subject with as few probes as it can.
 */
function countedSelection(applicationId: string, matched: SubjectSet, probes: SQL[], joiner: SQL, tuning: FilterTuning): Selection {
  const subjects = sql`attribute_subjects s`;
  const total = matched.size;
  const counted = { id: sql`s.user_id`, order: subjectsOrder, backward: subjectsBackward, total };
  if (total <= tuning.listMax) return { ...counted, from: sql`${subjects} where s.seq in (select value from json_each(${JSON.stringify(matched.members())}))` };
  return { ...counted, from: sql`${subjects} where s.application_id = ${applicationId} and (${sql.join(probes, joiner)})` };
}

/** The users matching a filter plan. */
export async function filterSelection(
  d1: D1Database,
  applicationId: string,
  plan: FilterPlan,
  tuning: FilterTuning = FILTER_TUNING,
): Promise<Selection> {
  const { terms } = plan;
  if (terms.length === 0) return usersSelection(applicationId, contactPredicates(applicationId, plan, sql`u.id`));
  const contacts = contactPredicates(applicationId, plan, sql`s.user_id`);
  const subjects = sql`attribute_subjects s`;
  const select = (from: SQL, parts: SQL[]): Selection => ({ from: sql`${from}${where(parts)}`, id: sql`s.user_id`, order: subjectsOrder });
  const combined = (joiner: SQL) =>
    select(subjects, [sql`s.seq in (${sql.join(terms.map((t) => sql`select subject from (${termSet(t)})`), joiner)})`, ...contacts]);
  if (plan.join === "or") {
    // Each condition's matches as lists, united in the Worker: the exact count without SQL sorting
    // the whole union (at 1M, a broad condition alone matches hundreds of thousands of users).
    const union = contacts.length === 0 && tuning.maxSetLists > 0 ? await unionPlan(d1, terms, Math.floor(tuning.setSpan / 4)) : undefined;
    const sets = union && (await combineInWorker(d1, "or", terms, union.lo, union.hi, tuning, union.fits));
    if (!sets) return combined(sql` union `);
    // Most common condition first: the walk's subjects mostly match on the first probe.
    const commonFirst = terms.map((term, i) => ({ term, size: sets.sizes[i]! })).sort((a, b) => b.size - a.size);
    return countedSelection(applicationId, sets.matched, commonFirst.map(({ term }) => sql`(${probe(term)})`), sql` or `, tuning);
  }

  const driver = await mostSelective(d1, terms, tuning);
  // Every positive condition matches many users: probing each candidate would cost more than
  // intersecting the sets, which stays linear in their sizes.
  if (driver && driver.count >= tuning.estimateCap && !driver.probeAnyway) {
    const sets = contacts.length === 0 && (await combineInWorker(d1, "and", terms, driver.lo, driver.hi, tuning));
    if (!sets) return combined(sql` intersect `);
    // The count and the page are separate reads: a write landing between them can show in one and
    // not the other, as with any offset paging. With many matches, the newest ones are found after
    // probing few subjects, rarest condition first so most subjects that fail are dropped after one probe.
    const rarestFirst = terms.map((term, i) => ({ term, size: sets.sizes[i]! })).sort((a, b) => a.size - b.size);
    return countedSelection(applicationId, sets.matched, rarestFirst.map(({ term }) => probe(term)), sql` and `, tuning);
  }
  const others = terms.filter((_, i) => i !== driver?.index).map(probe);
  if (!driver) return select(subjects, [sql`s.application_id = ${applicationId}`, ...others, ...contacts]);
  const term = terms[driver.index]!;
  // A multi-value attribute can match several elements of one user: those candidates need de-duplicating.
  if (term.multi) return select(sql`(select distinct a.subject from ${matching(term)}) d join ${subjects} on s.seq = d.subject`, [...others, ...contacts]);
  return select(sql`attribute_values a join ${subjects} on s.seq = a.subject`, [
    sql`a.def_key = ${term.definitionKey} and ${matchSql("a", term.column, term.match)}`,
    ...others,
    ...contacts,
  ]);
}

/**
 * A page of a selection whose size is known: read from whichever end is nearer, so a deep page of
 * a walked selection probes at most half of it.
 */
async function countedPage(d1: D1Database, selection: Selection, total: number, limit: number, offset: number): Promise<{ ids: string[]; total: number }> {
  if (offset >= total) return { ids: [], total };
  const after = total - offset - limit;
  const fromEnd = selection.backward !== undefined && after < offset;
  const order = fromEnd ? selection.backward! : selection.order;
  const [take, skip] = fromEnd ? [limit + Math.min(0, after), Math.max(0, after)] : [limit, offset];
  const rows = await prepare(d1, sql`select ${selection.id} as id from ${selection.from} order by ${order} limit ${take} offset ${skip}`).all<{ id: string }>();
  const ids = rows.results.map((r) => r.id);
  return { ids: fromEnd ? ids.reverse() : ids, total };
}

/** A page of a selection, newest first, with the total count. */
export async function selectPage(d1: D1Database, selection: Selection, limit: number, offset: number): Promise<{ ids: string[]; total: number }> {
  if (selection.total !== undefined) return countedPage(d1, selection, selection.total, limit, offset);
  const rows = await prepare(
    d1,
    sql`select ${selection.id} as id, count(*) over () as total from ${selection.from} order by ${selection.order} limit ${limit} offset ${offset}`,
  ).all<{ id: string; total: number }>();
  const first = rows.results[0];
  if (first) return { ids: rows.results.map((r) => r.id), total: first.total };
  if (offset === 0) return { ids: [], total: 0 };
  // Past the last page: the window count had no row to ride on.
  const counted = await prepare(d1, sql`select count(*) as total from ${selection.from}`).first<{ total: number }>();
  return { ids: [], total: counted?.total ?? 0 };
}

/** User rows by id, in the order given. */
export async function usersByIds(db: Database, ids: string[]): Promise<UserRow[]> {
  if (ids.length === 0) return [];
  const rows = await readAll<UserRow>(db, chunked(ids, MAX_PARAMS).map((part) => db.select().from(users).where(inArray(users.id, part))));
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id)).filter((r): r is UserRow => r !== undefined);
}

/**
 * The next users of an application in creation order after a keyset cursor (for exports). The bound
 * `created_at >= cursor` seeks users_app_created_idx to the cursor; written as one OR over both
 * columns, SQLite read and sorted every later user for each chunk (quadratic over an export).
 */
export async function usersAfter(
  db: Database,
  applicationId: string,
  cursor: { createdAt: string; id: string } | undefined,
  limit: number,
): Promise<UserRow[]> {
  return db
    .select()
    .from(users)
    .where(
      cursor
        ? sql`${users.applicationId} = ${applicationId} and ${users.createdAt} >= ${cursor.createdAt} and (${users.createdAt} > ${cursor.createdAt} or ${users.id} > ${cursor.id})`
        : sql`${users.applicationId} = ${applicationId}`,
    )
    .orderBy(users.createdAt, users.id)
    .limit(limit)
    .all();
}
