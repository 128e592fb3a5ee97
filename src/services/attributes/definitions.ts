import { AttributesRepo, SlugTakenError, type DefinitionRow, type NewDefinitionRow } from "../../db/attributes-repo";
import type { EventsRepo } from "../../db/events-repo";
import { newId } from "../../crypto/tokens";
import { ApiError, badRequest, conflict, notFound } from "../../errors";
import type { DefinitionBody, DefinitionListQuery, PlatformDefinition, StorefrontDefinition } from "../../schemas/attributes";
import { pagination, type Pagination } from "../../schemas/pagination";
import { compileRules, optionsOf, RuleError, type CompiledRule, type ValidationRule } from "./rules";
import type { AttributeType } from "../../schemas/attribute-vocabulary";
import { modelOf, type AttributeModel } from "./model";
import { valueFromText } from "./checks";

export const MAX_DEFINITIONS_PER_APPLICATION = 200;

/** All of an application's definitions, by id. */
export async function loadModels(repo: AttributesRepo, applicationId: string): Promise<Map<string, AttributeModel>> {
  const rows = await repo.definitions(applicationId);
  return new Map(rows.map((row) => [row.id, modelOf(row)]));
}

export async function requireDefinition(repo: AttributesRepo, applicationId: string, id: string): Promise<DefinitionRow> {
  const row = await repo.definition(applicationId, id);
  if (!row) throw notFound("Attribute definition not found");
  return row;
}

export interface DefinitionDeps {
  attributes: AttributesRepo;
  events: EventsRepo;
  /** Conditional groups whose conditions use the definition (they would silently change meaning). */
  groupsUsing(applicationId: string, definitionId: string): Promise<string[]>;
}

/**
 * Everything about a definition that depends on more than one field: options and validations fit
 * the type, the default value passes them, json is never multi-value.
 */
function checkConsistency(row: NewDefinitionRow & { type: string }): void {
  const type = row.type as AttributeType;
  if (type === "json" && row.isMultiValue) throw badRequest("json attributes cannot be multi-value (a JSON value can hold a list)");
  let model: AttributeModel;
  try {
    const options = optionsOf(row.validations ?? [], row.options);
    row.options = options;
    row.validations = withOptions(row.validations ?? [], options);
    model = modelOf(row as DefinitionRow);
  } catch (error) {
    if (error instanceof RuleError) throw new ApiError(400, "INVALID_VALIDATIONS", `Invalid validations: ${error.message}`);
    throw error;
  }
  if (row.defaultValue !== null && row.defaultValue !== undefined) valueFromText(model, row.defaultValue, "default_value");
}

/** The stored validations always carry the options, so the storefront (which has no `options` field) sees them. */
function withOptions(rules: ValidationRule[], options: string[]): ValidationRule[] {
  const rest = rules.filter((r) => r.type !== "options");
  return options.length ? [...rest, { type: "options", value: options }] : rest;
}

function fieldsOf(body: DefinitionBody): Partial<NewDefinitionRow> {
  const fields: Partial<NewDefinitionRow> = {
    name: body.name,
    slug: body.slug,
    description: body.description,
    type: body.type,
    icon: body.icon,
    orderingChannels: body.ordering_channels,
    masking: body.masking,
    registration: body.registration,
    isMultiValue: body.is_multi_value,
    customerEditable: body.customer_editable,
    encrypted: body.encrypted,
    pinned: body.pinned,
    pinOrder: body.pin_order,
    isLocked: body.is_locked,
    defaultValue: body.default_value,
    validations: body.validations,
    options: body.options,
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

/** Audit trail of definition changes (application-level events, no user). */
function definitionEvent(stores: DefinitionDeps, applicationId: string, actor: string, action: string, slug: string, data: Record<string, unknown>) {
  return stores.events.record({
    applicationId,
    type: `admin.attribute_definition.${action}`,
    title: `Attribute "${slug}" ${action}`,
    actor,
    visible: false,
    data: { slug, ...data },
  });
}

const slugTaken = (slug: string) => conflict(`An attribute with slug "${slug}" already exists in this application`);

export async function createDefinition(
  stores: DefinitionDeps,
  applicationId: string,
  body: DefinitionBody & Required<Pick<DefinitionBody, "name" | "slug" | "type">>,
  actor: string,
): Promise<DefinitionRow> {
  if ((await stores.attributes.countDefinitions(applicationId)) >= MAX_DEFINITIONS_PER_APPLICATION) {
    throw conflict(`An application can have at most ${MAX_DEFINITIONS_PER_APPLICATION} attribute definitions`);
  }
  const now = new Date().toISOString();
  const row = {
    id: newId(),
    applicationId,
    masking: { enabled: false, type: "default" },
    registration: { enabled: false, type: "optional" as const },
    validations: [],
    options: [],
    ...fieldsOf(body),
    createdBy: actor,
    updatedBy: actor,
    createdAt: now,
    modifiedAt: now,
  } as NewDefinitionRow;
  checkConsistency(row);
  try {
    await stores.attributes.insertDefinition(row);
  } catch (error) {
    if (error instanceof SlugTakenError) throw slugTaken(row.slug);
    throw error;
  }
  await definitionEvent(stores, applicationId, actor, "created", row.slug, { definition_id: row.id, type: row.type });
  return (await stores.attributes.definition(applicationId, row.id))!;
}

/** Fields whose change would reinterpret stored values; frozen once any value exists. */
const FROZEN_WITH_VALUES = ["slug", "type", "isMultiValue", "encrypted"] as const;

export async function updateDefinition(
  stores: DefinitionDeps,
  applicationId: string,
  id: string,
  body: DefinitionBody,
  actor: string,
): Promise<DefinitionRow> {
  const current = await requireDefinition(stores.attributes, applicationId, id);
  if (current.isLocked && body.is_locked !== false) {
    throw conflict(`Attribute "${current.slug}" is locked; unlock it (is_locked: false) to change it`);
  }
  const changes = { ...fieldsOf(body), updatedBy: actor, modifiedAt: new Date().toISOString() };
  const merged = { ...current, ...changes };
  // New validations carrying an options rule replace the options; otherwise the options stay.
  merged.options = body.options ?? (body.validations?.some((r) => r.type === "options") ? [] : current.options);
  checkConsistency(merged);
  changes.options = merged.options;
  changes.validations = merged.validations;
  const frozenChanged = FROZEN_WITH_VALUES.filter((f) => merged[f] !== current[f]);
  if (frozenChanged.some((f) => f !== "slug")) {
    const groups = await stores.groupsUsing(applicationId, id);
    if (groups.length) {
      throw conflict(`Attribute "${current.slug}" is used by the conditions of user groups (${groups.join(", ")}); its type cannot change`, { groups });
    }
  }
  let updated: boolean;
  try {
    updated = await stores.attributes.updateDefinition(applicationId, id, changes, frozenChanged.length > 0);
  } catch (error) {
    if (error instanceof SlugTakenError) throw slugTaken(merged.slug);
    throw error;
  }
  if (!updated) {
    if (!(await stores.attributes.definition(applicationId, id))) throw notFound("Attribute definition not found");
    const names = frozenChanged.map((f) => ({ slug: "slug", type: "type", isMultiValue: "is_multi_value", encrypted: "encrypted" })[f]);
    throw conflict(`Attribute "${current.slug}" has values; ${names.join(", ")} can no longer change`, { fields: names });
  }
  await definitionEvent(stores, applicationId, actor, "updated", merged.slug, { definition_id: id, fields: Object.keys(fieldsOf(body)) });
  return (await stores.attributes.definition(applicationId, id))!;
}

export async function deleteDefinition(stores: DefinitionDeps, applicationId: string, id: string, actor: string): Promise<void> {
  const current = await requireDefinition(stores.attributes, applicationId, id);
  if (current.isLocked) throw conflict(`Attribute "${current.slug}" is locked; unlock it (is_locked: false) before deleting it`);
  const groups = await stores.groupsUsing(applicationId, id);
  if (groups.length) {
    throw conflict(`Attribute "${current.slug}" is used by the conditions of user groups: ${groups.join(", ")}`, { groups });
  }
  await stores.attributes.deleteDefinition(applicationId, id, current.key);
  await definitionEvent(stores, applicationId, actor, "deleted", current.slug, { definition_id: id });
}

/**
 * `name=` is a case-insensitive substring, never a regular expression: a caller's pattern compiled by
 * a backtracking engine (`.*.*.*.*.*!`) can take seconds per definition, and no syntax check catches
 * every such pattern. Linear in the name's length whatever the caller sends.
 */
function nameMatcher(text: string): (name: string) => boolean {
  const needle = text.toLowerCase();
  return (name) => name.toLowerCase().includes(needle);
}

/** The definitions matching a list query, paged (an application has a bounded number of them). */
export async function listDefinitions(
  repo: AttributesRepo,
  applicationId: string,
  query: DefinitionListQuery,
): Promise<{ rows: DefinitionRow[]; page: Pagination }> {
  const excluded = new Set((query.excluding_ids ?? "").split(",").map((s) => s.trim()).filter(Boolean));
  const name = query.name ? nameMatcher(query.name) : undefined;
  const registrationTypes = query.registration_type === undefined ? undefined : [query.registration_type].flat();
  const rows = (await repo.definitions(applicationId)).filter(
    (d) =>
      !excluded.has(d.id) &&
      (query.slug === undefined || d.slug === query.slug) &&
      (query.type === undefined || d.type === query.type) &&
      (name === undefined || name(d.name)) &&
      (query.customer_editable === undefined || d.customerEditable === query.customer_editable) &&
      (query.encrypted === undefined || d.encrypted === query.encrypted) &&
      (query.pinned === undefined || d.pinned === query.pinned) &&
      (query.pin_order === undefined || d.pinOrder === query.pin_order) &&
      (query.is_locked === undefined || d.isLocked === query.is_locked) &&
      (query.registration_enabled === undefined || d.registration.enabled === query.registration_enabled) &&
      (registrationTypes === undefined || registrationTypes.includes(d.registration.type)),
  );
  const start = (query.page_no - 1) * query.page_size;
  return { rows: rows.slice(start, start + query.page_size), page: pagination({ page_no: query.page_no, page_size: query.page_size }, rows.length) };
}

function commonFields(row: DefinitionRow) {
  return {
    name: row.name,
    slug: row.slug,
    description: row.description,
    application_id: row.applicationId,
    type: row.type,
    icon: row.icon,
    ordering_channels: row.orderingChannels,
    masking: row.masking,
    registration: row.registration,
    is_multi_value: row.isMultiValue,
    customer_editable: row.customerEditable,
    encrypted: row.encrypted,
    pinned: row.pinned,
    pin_order: row.pinOrder,
    validations: row.validations,
    is_locked: row.isLocked,
    default_value: row.defaultValue,
    created_at: row.createdAt,
    modified_at: row.modifiedAt,
  };
}

export function toPlatformDefinition(row: DefinitionRow): PlatformDefinition {
  return { _id: row.id, ...commonFields(row), options: row.options, created_by: row.createdBy, updated_by: row.updatedBy, __v: row.version };
}

export function toStorefrontDefinition(row: DefinitionRow): StorefrontDefinition {
  return { id: row.id, ...commonFields(row) };
}
