import type { AttributesRepo, StoredValue, ValueRow } from "../../db/attributes-repo";
import type { EventsRepo } from "../../db/events-repo";
import type { UsersRepo } from "../../db/users-repo";
import type { AttributeCipher } from "../../crypto/attribute-cipher";
import { newId } from "../../crypto/tokens";
import { ApiError, badRequest, forbidden, notFound } from "../../errors";
import type { UserAttribute } from "../../schemas/attributes";
import { pagination, type Pagination } from "../../schemas/pagination";
import { loadModels, requireDefinition } from "./definitions";
import { modelOf, type AttributeModel } from "./model";
import { checkValue } from "./checks";
import type { IndexEntry } from "../../db/attributes-repo";
import { indexEntry, PRESENCE_ENTRY, type AttributeValue, type JsonValue } from "./types";

export interface ValueDeps {
  attributes: AttributesRepo;
  users: UsersRepo;
  events: EventsRepo;
  cipher: AttributeCipher;
}

/** Associated data of a ciphertext: it only decrypts on the row it was written for. */
const binding = (definitionId: string, userId: string) => `${definitionId}:${userId}`;

/** The row to store: encrypted values keep only ciphertext and are never indexed (never searchable). */
export async function toStored(
  cipher: AttributeCipher,
  model: AttributeModel,
  userId: string,
  value: AttributeValue,
  meta: { updatedBy: string; customerOverridden: boolean },
): Promise<StoredValue> {
  const json = JSON.stringify(value);
  const base = { definitionId: model.row.id, definitionKey: model.row.key, userId, applicationId: model.row.applicationId, ...meta };
  if (model.row.encrypted) {
    const ciphertext = await cipher.encrypt(model.row.applicationId, binding(model.row.id, userId), json);
    return { ...base, value: null, ciphertext, index: [] };
  }
  const elements = model.row.isMultiValue ? (value as JsonValue[]) : [value];
  const index = elements.map((e) => indexEntry(model.type, e)).filter((e): e is IndexEntry => e !== undefined);
  if (model.row.isMultiValue && index.length) index.push(PRESENCE_ENTRY);
  return { ...base, value: json, ciphertext: null, index };
}

export async function readValue(cipher: AttributeCipher, row: ValueRow): Promise<AttributeValue> {
  if (row.ciphertext !== null) {
    return JSON.parse(await cipher.decrypt(row.applicationId, binding(row.definitionId, row.userId), row.ciphertext)) as AttributeValue;
  }
  return JSON.parse(row.value ?? "null") as AttributeValue;
}

export async function toUserAttribute(cipher: AttributeCipher, row: ValueRow, model: AttributeModel): Promise<UserAttribute> {
  return {
    _id: row.id,
    name: model.row.name,
    user_id: row.userId,
    application_id: row.applicationId,
    user_attribute_definition_id: row.definitionId,
    type: model.row.type,
    customer_overridden: row.customerOverridden,
    attribute: { value: await readValue(cipher, row) },
    updated_by: row.updatedBy,
    created_at: row.createdAt,
    updated_at: row.updatedAt,
  };
}

/** Serialises value rows whose definitions are in `models` (rows of deleted definitions are gone with them). */
export async function toUserAttributes(cipher: AttributeCipher, rows: ValueRow[], models: Map<string, AttributeModel>): Promise<UserAttribute[]> {
  const out: UserAttribute[] = [];
  for (const row of rows) {
    const model = models.get(row.definitionId);
    if (model) out.push(await toUserAttribute(cipher, row, model));
  }
  return out;
}

async function requireUserExists(stores: ValueDeps, applicationId: string, userId: string): Promise<void> {
  if (!(await stores.users.findById(applicationId, userId))) throw notFound("User not found");
}

interface Write {
  model: AttributeModel;
  value: AttributeValue;
}

/** Validates nothing: writes already-checked values of one user in one transaction, with an event. */
async function commitWrites(
  stores: ValueDeps,
  applicationId: string,
  userId: string,
  writes: Write[],
  removals: AttributeModel[],
  meta: { actor: string; customerOverridden: boolean },
): Promise<void> {
  const now = new Date().toISOString();
  const statements = [];
  for (const w of writes) {
    const stored = await toStored(stores.cipher, w.model, userId, w.value, { updatedBy: meta.actor, customerOverridden: meta.customerOverridden });
    statements.push(...stores.attributes.upsertStatements(stored, newId(), now));
  }
  if (removals.length) statements.push(...stores.attributes.deleteStatements(applicationId, userId, removals.map((m) => m.row)));
  const byUser = meta.actor === "user";
  statements.push(
    stores.events.insertStatement({
      applicationId,
      userId,
      type: byUser ? "user.attributes.updated" : "admin.user.attributes.updated",
      title: "Attributes updated",
      subTitle: [...writes.map((w) => w.model.row.slug), ...removals.map((m) => `-${m.row.slug}`)].join(", ").slice(0, 500),
      actor: meta.actor,
      visible: true,
      data: { set: writes.map((w) => w.model.row.id), removed: removals.map((m) => m.row.id) },
      createdAt: now,
    }),
  );
  await stores.attributes.commit(statements);
}

async function requireModel(stores: ValueDeps, applicationId: string, definitionId: string): Promise<AttributeModel> {
  return modelOf(await requireDefinition(stores.attributes, applicationId, definitionId));
}

async function requireValue(stores: ValueDeps, applicationId: string, definitionId: string, userId: string) {
  const model = await requireModel(stores, applicationId, definitionId);
  const row = await stores.attributes.value(applicationId, definitionId, userId);
  if (!row) throw notFound("This customer has no value for that attribute");
  return { model, row };
}

/** Platform PUT: creates or replaces one value. */
export async function setValue(
  stores: ValueDeps,
  applicationId: string,
  definitionId: string,
  userId: string,
  input: unknown,
  meta: { actor: string; customerOverridden: boolean },
): Promise<UserAttribute> {
  const model = await requireModel(stores, applicationId, definitionId);
  await requireUserExists(stores, applicationId, userId);
  await commitWrites(stores, applicationId, userId, [{ model, value: checkValue(model, input) }], [], meta);
  const row = await stores.attributes.value(applicationId, definitionId, userId);
  return toUserAttribute(stores.cipher, row!, model);
}

export async function getValue(stores: ValueDeps, applicationId: string, definitionId: string, userId: string): Promise<UserAttribute> {
  const { model, row } = await requireValue(stores, applicationId, definitionId, userId);
  return toUserAttribute(stores.cipher, row, model);
}

export async function getValueById(stores: ValueDeps, applicationId: string, id: string): Promise<UserAttribute> {
  const row = await stores.attributes.valueById(applicationId, id);
  if (!row) throw notFound("Attribute value not found");
  return toUserAttribute(stores.cipher, row, await requireModel(stores, applicationId, row.definitionId));
}

export async function deleteValue(stores: ValueDeps, applicationId: string, definitionId: string, userId: string, actor: string): Promise<void> {
  const { model } = await requireValue(stores, applicationId, definitionId, userId);
  await commitWrites(stores, applicationId, userId, [], [model], { actor, customerOverridden: false });
}

const unknownDefinition = (field: string, id: string) =>
  new ApiError(400, "ATTRIBUTE_DEFINITION_UNKNOWN", `${field}: no attribute definition "${id}" in this application`);

/** Platform bulk POST: all values checked first, then written together or not at all. */
export async function setValues(
  stores: ValueDeps,
  applicationId: string,
  userId: string,
  entries: { definition_id: string; value: unknown }[],
  actor: string,
): Promise<UserAttribute[]> {
  const models = await loadModels(stores.attributes, applicationId);
  const writes = entries.map((entry, i) => {
    const model = models.get(entry.definition_id);
    if (!model) throw unknownDefinition(`attributes.${i}.definition_id`, entry.definition_id);
    return { model, value: checkValue(model, entry.value, `attributes.${i}`) };
  });
  const ids = writes.map((w) => w.model.row.id);
  if (new Set(ids).size !== ids.length) throw badRequest("attributes: each definition_id may appear only once");
  await requireUserExists(stores, applicationId, userId);
  await commitWrites(stores, applicationId, userId, writes, [], { actor, customerOverridden: false });
  const rows = await stores.attributes.valuesOf(applicationId, [userId], ids);
  return toUserAttributes(stores.cipher, rows, models);
}

/** Platform bulk DELETE: removes the user's values of the given definitions. */
export async function deleteValues(stores: ValueDeps, applicationId: string, userId: string, definitionIds: string[], actor: string): Promise<void> {
  const models = await loadModels(stores.attributes, applicationId);
  const removals = definitionIds.map((id, i) => {
    const model = models.get(id);
    if (!model) throw unknownDefinition(`definition_ids.${i}`, id);
    return model;
  });
  await requireUserExists(stores, applicationId, userId);
  await commitWrites(stores, applicationId, userId, [], removals, { actor, customerOverridden: false });
}

export async function valuesPage(
  stores: ValueDeps,
  applicationId: string,
  userId: string,
  page: { page_no: number; page_size: number },
): Promise<{ items: UserAttribute[]; page: Pagination }> {
  await requireUserExists(stores, applicationId, userId);
  const { rows, total } = await stores.attributes.valuesPage(applicationId, userId, page.page_size, (page.page_no - 1) * page.page_size);
  const models = await loadModels(stores.attributes, applicationId);
  return { items: await toUserAttributes(stores.cipher, rows, models), page: pagination({ page_no: page.page_no, page_size: page.page_size }, total) };
}

/** Storefront: the user's own values as slug → value (optionally one slug). */
export async function ownAttributes(stores: ValueDeps, applicationId: string, userId: string, slug?: string): Promise<Record<string, AttributeValue>> {
  const models = await loadModels(stores.attributes, applicationId);
  const wanted = [...models.values()].filter((m) => slug === undefined || m.row.slug === slug).map((m) => m.row.id);
  const rows = await stores.attributes.valuesOf(applicationId, [userId], wanted);
  const out: Record<string, AttributeValue> = {};
  for (const row of rows) {
    const model = models.get(row.definitionId);
    if (model) out[model.row.slug] = await readValue(stores.cipher, row);
  }
  return out;
}

/**
 * Storefront PATCH: the customer sets (or, with null, clears) values of attributes the seller made
 * customer-editable. Anything else is refused before anything is written.
 */
export async function updateOwnAttributes(
  stores: ValueDeps,
  applicationId: string,
  userId: string,
  attributes: Record<string, unknown>,
): Promise<Record<string, AttributeValue>> {
  const models = await loadModels(stores.attributes, applicationId);
  const bySlug = new Map([...models.values()].map((m) => [m.row.slug, m]));
  const writes: Write[] = [];
  const removals: AttributeModel[] = [];
  for (const [slug, value] of Object.entries(attributes)) {
    const model = bySlug.get(slug);
    if (!model) throw new ApiError(400, "ATTRIBUTE_DEFINITION_UNKNOWN", `attributes.${slug}: no such attribute in this application`);
    if (!model.row.customerEditable) throw forbidden(`Attribute "${slug}" cannot be changed by the customer`);
    if (value === null) removals.push(model);
    else writes.push({ model, value: checkValue(model, value, `attributes.${slug}`) });
  }
  if (writes.length || removals.length) {
    await commitWrites(stores, applicationId, userId, writes, removals, { actor: "user", customerOverridden: true });
  }
  return ownAttributes(stores, applicationId, userId);
}
