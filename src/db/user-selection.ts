import { inArray, sql, type SQL } from "drizzle-orm";
import { SQLiteAsyncDialect } from "drizzle-orm/sqlite-core";
import { ApiError } from "../http/errors";
import type { FilterPlan, FilterTerm, Match } from "../services/attribute-filter";
import { chunked, MAX_PARAMS } from "./attributes-repo";
import { readAll } from "./batch";
import type { Database } from "./client";
import { users } from "./schema/users";
import type { UserRow } from "./users-repo";

/*
 * Selecting users of an application by attribute conditions, contacts and group membership.
 * Each attribute condition is an index range scan over attribute_values (typed columns, one row per
 * value element) producing user ids; conditions combine with INTERSECT (and) or UNION (or), and the
 * result drives the page of users. Nothing here parses JSON.
 */

const dialect = new SQLiteAsyncDialect();
// D1 refuses statements with more than 100 bound parameters.
const D1_MAX_PARAMS = 100;

function matchSql(column: SQL, match: Match): SQL {
  switch (match.kind) {
    case "range": {
      const { lower, upper } = match;
      if (lower && upper && lower.inclusive && upper.inclusive && lower.value === upper.value) return sql`${column} = ${lower.value}`;
      const parts: SQL[] = [];
      if (lower) parts.push(lower.inclusive ? sql`${column} >= ${lower.value}` : sql`${column} > ${lower.value}`);
      if (upper) parts.push(upper.inclusive ? sql`${column} <= ${upper.value}` : sql`${column} < ${upper.value}`);
      return sql.join(parts, sql` and `);
    }
    case "any":
      return sql`(${sql.join(match.of.map((m) => sql`(${matchSql(column, m)})`), sql` or `)})`;
    case "in":
      return sql`${column} in (${sql.join(match.values.map((v) => sql`${v}`), sql`, `)})`;
    case "exact":
      return sql`${column} = ${match.fold} and value_text = ${match.text}`;
    case "contains":
      return sql`instr(${column}, ${match.value}) > 0`;
    case "suffix":
      return sql`substr(${column}, ${-[...match.value].length}) = ${match.value}`;
  }
}

/** The user ids a term selects (a set; each branch of a compound select). */
function termSql(term: FilterTerm): SQL {
  const matching = sql`select user_id from attribute_values where definition_id = ${term.definitionId} and ${matchSql(sql.raw(term.column), term.match)}`;
  if (!term.negated) return matching;
  return sql`select user_id from user_attributes where definition_id = ${term.definitionId} except ${matching}`;
}

/** The SQL predicate (over `users u`) of a filter plan. */
export function planPredicate(applicationId: string, plan: FilterPlan): SQL {
  const parts: SQL[] = [sql`u.application_id = ${applicationId}`];
  if (plan.terms.length === 1) {
    parts.push(sql`u.id in (${termSql(plan.terms[0]!)})`);
  } else if (plan.terms.length > 1) {
    const joiner = plan.join === "and" ? sql` intersect ` : sql` union `;
    // A compound select cannot be parenthesised in SQLite; each branch is wrapped as a subquery instead.
    parts.push(sql`u.id in (${sql.join(plan.terms.map((t) => sql`select user_id from (${termSql(t)})`), joiner)})`);
  }
  if (plan.email !== undefined) {
    parts.push(sql`u.id in (select user_id from user_emails where application_id = ${applicationId} and email = ${plan.email} and active = 1)`);
  }
  if (plan.phone !== undefined) {
    parts.push(
      "e164" in plan.phone
        ? sql`u.id in (select user_id from user_phones where application_id = ${applicationId} and e164 = ${plan.phone.e164} and active = 1)`
        : sql`u.id in (select user_id from user_phones where application_id = ${applicationId} and phone = ${plan.phone.national} and active = 1)`,
    );
  }
  if (plan.hasEmail !== undefined) {
    const exists = sql`exists (select 1 from user_emails e where e.user_id = u.id and e.active = 1)`;
    parts.push(plan.hasEmail ? exists : sql`not ${exists}`);
  }
  if (plan.hasPhone !== undefined) {
    const exists = sql`exists (select 1 from user_phones p where p.user_id = u.id and p.active = 1)`;
    parts.push(plan.hasPhone ? exists : sql`not ${exists}`);
  }
  return sql.join(parts, sql` and `);
}

/** Members of a bulk group. */
export function groupMembersPredicate(applicationId: string, groupId: string): SQL {
  return sql`u.application_id = ${applicationId} and u.id in (select user_id from user_group_members where group_id = ${groupId})`;
}

function prepare(d1: D1Database, query: SQL): D1PreparedStatement {
  const { sql: text, params } = dialect.sqlToQuery(query);
  if (params.length > D1_MAX_PARAMS) {
    throw new ApiError(400, "FILTER_TOO_COMPLEX", `The filter needs ${params.length} values; at most ${D1_MAX_PARAMS} fit in one query (use fewer conditions or shorter lists)`);
  }
  return d1.prepare(text).bind(...params);
}

/** A page of the users matching `predicate`, newest first, with the total count. */
export async function selectUsersPage(
  d1: D1Database,
  predicate: SQL,
  limit: number,
  offset: number,
): Promise<{ ids: string[]; total: number }> {
  const rows = await prepare(
    d1,
    sql`select u.id as id, count(*) over () as total from users u where ${predicate} order by u.created_at desc, u.id desc limit ${limit} offset ${offset}`,
  ).all<{ id: string; total: number }>();
  const first = rows.results[0];
  if (first) return { ids: rows.results.map((r) => r.id), total: first.total };
  if (offset === 0) return { ids: [], total: 0 };
  // Past the last page: the window count had no row to ride on.
  const counted = await prepare(d1, sql`select count(*) as total from users u where ${predicate}`).first<{ total: number }>();
  return { ids: [], total: counted?.total ?? 0 };
}

/** Whether one user matches `predicate`. */
export async function userMatches(d1: D1Database, predicate: SQL, userId: string): Promise<boolean> {
  const row = await prepare(d1, sql`select 1 as hit from users u where u.id = ${userId} and ${predicate}`).first();
  return row !== null;
}

/** User rows by id, in the order given. */
export async function usersByIds(db: Database, ids: string[]): Promise<UserRow[]> {
  if (ids.length === 0) return [];
  const rows = await readAll<UserRow>(db, chunked(ids, MAX_PARAMS).map((part) => db.select().from(users).where(inArray(users.id, part))));
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id)).filter((r): r is UserRow => r !== undefined);
}

/** The next users of an application in creation order after a keyset cursor (for exports). */
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
        ? sql`${users.applicationId} = ${applicationId} and (${users.createdAt} > ${cursor.createdAt} or (${users.createdAt} = ${cursor.createdAt} and ${users.id} > ${cursor.id}))`
        : sql`${users.applicationId} = ${applicationId}`,
    )
    .orderBy(users.createdAt, users.id)
    .limit(limit)
    .all();
}
