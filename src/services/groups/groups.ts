import type { Statement } from "../../db/batch";
import { existingUserIds, usersByEmails, usersByPhones } from "../../db/contact-lookup";
import type { EventsRepo } from "../../db/events-repo";
import type { GroupRow, GroupsRepo } from "../../db/groups-repo";
import type { GroupCondition } from "../../db/schema/groups";
import { filterSelection, groupMembersSelection } from "../../db/user-filter-sql";
import { newId } from "../../crypto/tokens";
import { ApiError, badRequest, conflict, notFound } from "../../errors";
import type { CreateUserGroup, PartialUserGroupUpdateSchema, UpdateUserGroupSchema, UserGroupResponseSchema } from "../../schemas/groups";
import { pagination, type Pagination } from "../../schemas/pagination";
import type { UserSearchSchema } from "../../schemas/user";
import { loadModels } from "../attributes/definitions";
import type { AttributeModel } from "../attributes/model";
import { planFilter } from "../attributes/filter";
import { normalizeEmail, normalizePhone } from "../../schemas/contacts";
import { CsvError, errorHeader, errorRows, normalizeHeader, parseCsv, recordMap } from "../jobs/csv";
import { fileLinks, readFileUrl, saveFile } from "../jobs/files";
import { usersPage, type ListDeps } from "../attributes/user-lists";
import { toUserSearchSchema } from "../accounts/users";

export const MAX_GROUP_FILE_BYTES = 5 * 1024 * 1024;
export const MAX_GROUP_FILE_ROWS = 10_000;

export interface GroupDeps extends ListDeps {
  groups: GroupsRepo;
  events: EventsRepo;
  bucket: R2Bucket;
}

/** Who asks, and where their files' links point. */
export interface GroupCaller {
  applicationId: string;
  companyId: string;
  actor: string;
  baseUrl: string;
}

/** One requested membership change, from JSON `user_data` or a CSV row. */
interface MemberChange {
  action: string;
  user_id?: string;
  email?: string;
  phone_number?: string;
  country_code?: string;
}

type Key = { kind: "id" | "email" | "phone"; value: string };

function keyOf(change: MemberChange): Key | string {
  if (change.action !== "add" && change.action !== "remove") return "action must be add or remove";
  if (change.user_id) return { kind: "id", value: change.user_id };
  if (change.email) {
    const email = normalizeEmail(change.email);
    return email ? { kind: "email", value: email } : "email is not an email address";
  }
  if (change.phone_number) {
    const phone = normalizePhone(change.phone_number, change.country_code || undefined);
    return phone ? { kind: "phone", value: phone.e164 } : "phone_number is not valid (use +<country code><number> or a country_code column)";
  }
  return "needs a user_id, email or phone_number";
}

/** Resolves membership changes to users of the application; each change either resolves or says why not. */
async function resolveChanges(
  stores: GroupDeps,
  applicationId: string,
  changes: MemberChange[],
): Promise<{ resolved: { userId: string; action: "add" | "remove" }[]; failures: { index: number; message: string }[] }> {
  const keys = changes.map(keyOf);
  const values = (kind: Key["kind"]) => keys.flatMap((k) => (typeof k !== "string" && k.kind === kind ? [k.value] : []));
  const [ids, emails, phones] = await Promise.all([
    existingUserIds(stores.db, applicationId, values("id")),
    usersByEmails(stores.db, applicationId, values("email")),
    usersByPhones(stores.db, applicationId, values("phone")),
  ]);
  const resolved: { userId: string; action: "add" | "remove" }[] = [];
  const failures: { index: number; message: string }[] = [];
  keys.forEach((key, index) => {
    if (typeof key === "string") return failures.push({ index, message: key });
    const userId = key.kind === "id" ? (ids.has(key.value) ? key.value : undefined) : (key.kind === "email" ? emails : phones).get(key.value);
    if (!userId) return failures.push({ index, message: `no customer with ${key.kind === "id" ? "user_id" : key.kind} ${key.value}` });
    resolved.push({ userId, action: changes[index]!.action as "add" | "remove" });
  });
  return { resolved, failures };
}

/** Who a membership change adds and removes, as its event records it (webhooks group.member_added/removed). */
interface Moved {
  added_user_ids: string[];
  removed_user_ids: string[];
}

/** The statements applying resolved changes; when a user appears twice, the later change wins. */
function membershipStatements(stores: GroupDeps, groupId: string, resolved: { userId: string; action: "add" | "remove" }[]): { statements: Statement[]; moved: Moved } {
  const last = new Map(resolved.map((r) => [r.userId, r.action]));
  const adds = [...last].filter(([, a]) => a === "add").map(([id]) => id);
  const removes = [...last].filter(([, a]) => a === "remove").map(([id]) => id);
  return {
    statements: [...stores.groups.addMembersStatements(groupId, adds, new Date().toISOString()), ...stores.groups.removeMembersStatements(groupId, removes)],
    moved: { added_user_ids: adds, removed_user_ids: removes },
  };
}

interface FileOutcome {
  statements: Statement[];
  moved: Moved;
  status: "completed" | "partial" | "failed";
  errorCount: number;
  errorFileUrl: string;
}

/**
 * Reads a members CSV (user_id, email or phone_number column; action add|remove), resolves every row
 * and reports the rows that could not be applied in an error CSV. Malformed files are refused whole.
 */
async function membershipFromFile(stores: GroupDeps, caller: GroupCaller, groupId: string, url: string): Promise<FileOutcome> {
  const bytes = await readFileUrl(stores.bucket, caller.applicationId, url, MAX_GROUP_FILE_BYTES);
  let records: string[][];
  try {
    records = parseCsv(new TextDecoder().decode(bytes), { final: true }).records;
  } catch (error) {
    if (error instanceof CsvError) throw badRequest(`file_url: ${error.message}`);
    throw error;
  }
  const [rawHeader, ...rows] = records;
  const header = normalizeHeader(rawHeader ?? []);
  if (!header.includes("action") || !["user_id", "email", "phone_number"].some((c) => header.includes(c))) {
    throw badRequest("file_url: the CSV needs an action column and a user_id, email or phone_number column");
  }
  if (rows.length > MAX_GROUP_FILE_ROWS) throw badRequest(`file_url: at most ${MAX_GROUP_FILE_ROWS} rows per file`);
  const changes = rows.map((r) => {
    const m = recordMap(header, r);
    return { ...m, action: (m.action ?? "").toLowerCase() };
  });
  const { resolved, failures } = await resolveChanges(stores, caller.applicationId, changes);
  let errorFileUrl = "";
  if (failures.length) {
    const report = errorHeader(rawHeader!) + errorRows(failures.map((f) => ({ line: f.index + 2, record: rows[f.index]!, message: f.message })));
    const fileId = await saveFile(stores.bucket, caller.applicationId, `group-${groupId}-errors.csv`, report);
    errorFileUrl = fileLinks(caller.baseUrl, caller.companyId, caller.applicationId, fileId).absolute_url;
  }
  const { statements, moved } = membershipStatements(stores, groupId, resolved);
  return {
    statements,
    moved,
    status: failures.length === 0 ? "completed" : resolved.length ? "partial" : "failed",
    errorCount: failures.length,
    errorFileUrl,
  };
}

function checkConditions(models: Map<string, AttributeModel>, conditions: GroupCondition[]) {
  try {
    return planFilter(models, { join: "and", conditions: conditions.map(asFilterCondition) });
  } catch (error) {
    if (error instanceof ApiError) throw new ApiError(400, error.code, error.message.replace(/^conditions\.(\d+)\.definition_id/, "conditions.$1.user_attribute_definition_id"), error.info);
    throw error;
  }
}

/**
 * The SDK's ConditionsSchema types `value` as a string, so a list (in, nin) or a pair (btw) arrives,
 * and is answered, as its JSON text; numbers and booleans as their text, which the filter reads too.
 */
const LIST_OPERATORS = new Set(["in", "nin", "btw"]);

function conditionValue(type: string, value: unknown): unknown {
  if (typeof value !== "string" || !LIST_OPERATORS.has(type) || !/^\s*[[{]/.test(value)) return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

const conditionText = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value ?? ""));

const asFilterCondition = (c: GroupCondition) => ({
  definition_id: c.user_attribute_definition_id,
  type: c.type as never,
  value: conditionValue(c.type, c.value),
  ignore_year: c.ignore_year,
});

function requireConditionsFor(type: "bulk" | "conditional", conditions: GroupCondition[] | undefined, fileUrl: string | undefined) {
  if (type === "conditional") {
    if (!conditions?.length) throw badRequest("conditions: a conditional group needs at least one condition");
    if (fileUrl) throw badRequest("file_url: members of a conditional group come from its conditions, not a file");
  } else if (conditions?.length) {
    throw badRequest("conditions: only conditional groups have conditions");
  }
}

/** A group by its `_id`, or by its numeric `uid` (what Fynd's console links use); only ever one of the application's. */
async function requireGroup(stores: GroupDeps, applicationId: string, id: string): Promise<GroupRow> {
  const group = /^\d{1,15}$/.test(id) ? await stores.groups.findByUid(applicationId, Number(id)) : await stores.groups.find(applicationId, id);
  if (!group) throw notFound("User group not found");
  return group;
}

function event(stores: GroupDeps, caller: GroupCaller, type: string, group: { id: string; name: string }, data: Record<string, unknown> = {}) {
  return stores.events.insertStatement({
    applicationId: caller.applicationId,
    type,
    title: `User group "${group.name}"`,
    actor: caller.actor,
    visible: false,
    data: { group_id: group.id, ...data },
  });
}

/** The group as the API shows it (conditions carry their attribute's slug as `key`). */
async function response(stores: GroupDeps, applicationId: string, id: string): Promise<UserGroupResponseSchema> {
  const [models, row] = await Promise.all([loadModels(stores.attributes, applicationId), requireGroup(stores, applicationId, id)]);
  return toGroupResponse(row, models);
}

export async function createGroup(stores: GroupDeps, caller: GroupCaller, body: CreateUserGroup): Promise<UserGroupResponseSchema> {
  requireConditionsFor(body.type, body.conditions, body.file_url);
  const models = await loadModels(stores.attributes, caller.applicationId);
  const conditions = (body.conditions ?? []) as GroupCondition[];
  if (body.type === "conditional") checkConditions(models, conditions);
  const id = newId();
  const now = new Date().toISOString();
  const file = body.file_url ? await membershipFromFile(stores, caller, id, body.file_url) : undefined;
  await stores.groups.commit([
    stores.groups.insertStatement({
      id,
      applicationId: caller.applicationId,
      name: body.name,
      description: body.description,
      type: body.type,
      status: body.type === "conditional" ? "active" : (file?.status ?? "completed"),
      fileUrl: body.file_url ?? "",
      conditions,
      errorCount: file?.errorCount ?? 0,
      errorFileUrl: file?.errorFileUrl ?? "",
      createdAt: now,
      modifiedAt: now,
    }),
    ...(file?.statements ?? []),
    event(stores, caller, "admin.user_group.created", { id, name: body.name }, { ...file?.moved }),
  ]);
  return response(stores, caller.applicationId, id);
}

/** updateUserGroup (PUT): the fields given replace the stored ones; changing the type resets the members. */
export async function updateGroup(stores: GroupDeps, caller: GroupCaller, ref: string, body: UpdateUserGroupSchema): Promise<UserGroupResponseSchema> {
  const current = await requireGroup(stores, caller.applicationId, ref);
  const id = current.id;
  const models = await loadModels(stores.attributes, caller.applicationId);
  const type = body.type ?? current.type;
  const typeChanged = type !== current.type;
  const conditions = (body.conditions ?? (type === "bulk" ? [] : current.conditions)) as GroupCondition[];
  requireConditionsFor(type, conditions, body.file_url);
  if (type === "conditional") checkConditions(models, conditions);
  const file = body.file_url ? await membershipFromFile(stores, caller, id, body.file_url) : undefined;
  await stores.groups.commit([
    ...(typeChanged ? [stores.groups.clearMembersStatement(id)] : []),
    stores.groups.updateStatement(caller.applicationId, id, {
      name: body.name,
      description: body.description,
      type,
      conditions,
      status: type === "conditional" ? "active" : (file?.status ?? (typeChanged ? "completed" : current.status)),
      ...(body.file_url !== undefined ? { fileUrl: body.file_url } : {}),
      ...(file ? { errorCount: file.errorCount, errorFileUrl: file.errorFileUrl } : {}),
      modifiedAt: new Date().toISOString(),
    }),
    ...(file?.statements ?? []),
    event(stores, caller, "admin.user_group.updated", { id, name: body.name ?? current.name }, { type_changed: typeChanged, ...file?.moved }),
  ]);
  return response(stores, caller.applicationId, id);
}

/** updateUserGroupPartially (PATCH): rename, and add or remove members of a bulk group (JSON list or CSV file). */
export async function patchGroup(stores: GroupDeps, caller: GroupCaller, ref: string, body: PartialUserGroupUpdateSchema): Promise<UserGroupResponseSchema> {
  const current = await requireGroup(stores, caller.applicationId, ref);
  const id = current.id;
  const membership = body.type === "json" ? body.user_data !== undefined : body.file_url !== undefined;
  if (!membership && body.name === undefined && body.description === undefined) {
    throw badRequest(body.type === "json" ? "user_data: required when type is json" : "file_url: required when type is file_url");
  }
  if (membership && current.type === "conditional") {
    throw conflict("Members of a conditional group follow its conditions; they cannot be added or removed");
  }
  const statements: Statement[] = [];
  let moved: Moved | undefined;
  const changes: Parameters<GroupsRepo["updateStatement"]>[2] = { name: body.name, description: body.description, modifiedAt: new Date().toISOString() };
  if (membership && body.type === "json") {
    const { resolved, failures } = await resolveChanges(stores, caller.applicationId, body.user_data!);
    if (failures.length) {
      const detail = failures.map((f) => `user_data.${f.index}: ${f.message}`);
      throw new ApiError(400, "USER_DATA_INVALID", detail.slice(0, 5).join("; ") + (detail.length > 5 ? `; and ${detail.length - 5} more` : ""), {
        fields: failures.map((f) => ({ field: `user_data.${f.index}`, message: f.message })),
      });
    }
    const applied = membershipStatements(stores, id, resolved);
    statements.push(...applied.statements);
    moved = applied.moved;
    Object.assign(changes, { status: "completed", errorCount: 0, errorFileUrl: "" });
  } else if (membership) {
    const file = await membershipFromFile(stores, caller, id, body.file_url!);
    statements.push(...file.statements);
    moved = file.moved;
    Object.assign(changes, { status: file.status, fileUrl: body.file_url, errorCount: file.errorCount, errorFileUrl: file.errorFileUrl });
  }
  await stores.groups.commit([
    stores.groups.updateStatement(caller.applicationId, id, changes),
    ...statements,
    event(stores, caller, "admin.user_group.members_changed", { id, name: body.name ?? current.name }, { via: membership ? body.type : "none", ...moved }),
  ]);
  return response(stores, caller.applicationId, id);
}

export async function deleteGroup(stores: GroupDeps, caller: GroupCaller, ref: string): Promise<void> {
  const current = await requireGroup(stores, caller.applicationId, ref);
  const id = current.id;
  await stores.groups.delete(caller.applicationId, id);
  await stores.events.record({
    applicationId: caller.applicationId,
    type: "admin.user_group.deleted",
    title: `User group "${current.name}"`,
    actor: caller.actor,
    visible: false,
    data: { group_id: id },
  });
}

export async function getGroup(stores: GroupDeps, applicationId: string, ref: string): Promise<UserGroupResponseSchema> {
  return response(stores, applicationId, ref);
}

export async function listGroups(
  stores: GroupDeps,
  applicationId: string,
  query: { page_no: number; page_size: number; name?: string; type?: "bulk" | "conditional"; status?: string; group_uid?: number },
): Promise<{ items: UserGroupResponseSchema[]; page: Pagination }> {
  const models = await loadModels(stores.attributes, applicationId);
  const { rows, total } = await stores.groups.list(
    applicationId,
    { name: query.name, type: query.type, status: query.status, uid: query.group_uid },
    query.page_size,
    (query.page_no - 1) * query.page_size,
  );
  return { items: rows.map((r) => toGroupResponse(r, models)), page: pagination({ page_no: query.page_no, page_size: query.page_size }, total) };
}

/**
 * A group's members: the stored list of a bulk group, or for a conditional group the users matching
 * its conditions right now (computed by the filter engine, so always current).
 */
export async function groupMembers(
  stores: GroupDeps,
  applicationId: string,
  id: string,
  page: { page_no: number; page_size: number },
): Promise<{ items: UserSearchSchema[]; page: Pagination }> {
  const group = await requireGroup(stores, applicationId, id);
  const selection =
    group.type === "conditional"
      ? await filterSelection(stores.d1, applicationId, checkConditions(await loadModels(stores.attributes, applicationId), group.conditions))
      : groupMembersSelection(applicationId, group.id);
  const result = await usersPage(stores, selection, page.page_no, page.page_size);
  return { items: result.records.map(toUserSearchSchema), page: result.page };
}

function toGroupResponse(row: GroupRow, models: Map<string, AttributeModel>): UserGroupResponseSchema {
  return {
    _id: row.id,
    uid: row.uid,
    name: row.name,
    description: row.description,
    type: row.type,
    status: row.status,
    is_active: row.isActive,
    file_url: row.fileUrl,
    conditions: row.conditions.map((c) => ({ ...c, value: conditionText(c.value), key: models.get(c.user_attribute_definition_id)?.row.slug ?? "" })),
    error: { count: row.errorCount, file_url: row.errorFileUrl },
    application_id: row.applicationId,
    created_at: row.createdAt,
    modified_at: row.modifiedAt,
    __v: row.version,
  };
}
