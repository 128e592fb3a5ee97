import type { AttributesRepo } from "../../db/attributes-repo";
import type { Database } from "../../db/client";
import { filterSelection, selectPage, usersByIds, type Selection } from "../../db/user-filter-sql";
import type { UserRecord, UsersRepo } from "../../db/users-repo";
import type { AttributeCipher } from "../../crypto/attribute-cipher";
import { ApiError } from "../../errors";
import type { UserAttribute, UserAttributeFilteredItem, UserAttributeFilterQuery } from "../../schemas/attributes";
import { pagination, type Pagination } from "../../schemas/pagination";
import { loadModels } from "./definitions";
import { planFilter } from "./filter";
import { toUserAttributes } from "./values";
import { toUserSearchSchema } from "../accounts/users";

export interface ListDeps {
  db: Database;
  d1: D1Database;
  users: UsersRepo;
  attributes: AttributesRepo;
  cipher: AttributeCipher;
}

/** A page of a selection of users (see db/user-filter-sql.ts), with their contacts. */
export async function usersPage(
  stores: ListDeps,
  selection: Selection,
  pageNo: number,
  size: number,
): Promise<{ records: UserRecord[]; page: Pagination }> {
  const { ids, total } = await selectPage(stores.d1, selection, size, (pageNo - 1) * size);
  const records = await stores.users.withContacts(await usersByIds(stores.db, ids));
  return { records, page: pagination({ page_no: pageNo, page_size: size }, total) };
}

export function toFilteredUser(record: UserRecord, attributes: UserAttribute[]): UserAttributeFilteredItem {
  const user = toUserSearchSchema(record);
  return {
    ...user,
    phone_numbers: user.phone_numbers.map((p) => ({ ...p, country_code: String(p.country_code) })),
    has_old_password_hash: false,
    is_encrypted: false,
    attributes,
  };
}

/** filterUsersByAttributes: the users matching the conditions, each with the requested attribute values. */
export async function filterUsers(
  stores: ListDeps,
  applicationId: string,
  query: UserAttributeFilterQuery,
): Promise<{ items: UserAttributeFilteredItem[]; page: Pagination }> {
  const models = await loadModels(stores.attributes, applicationId);
  const plan = planFilter(models, {
    join: query.type,
    conditions: query.conditions,
    email: query.email,
    phone: query.phone,
    countryCode: query.country_code,
    hasEmail: query.has_email,
    hasPhone: query.has_phone,
  });
  const wanted = query.definition_ids ?? [...new Set(query.conditions.map((c) => c.definition_id))];
  const unknown = wanted.find((id) => !models.has(id));
  if (unknown) throw new ApiError(400, "ATTRIBUTE_DEFINITION_UNKNOWN", `definition_ids: no attribute definition "${unknown}" in this application`);
  const { records, page } = await usersPage(stores, await filterSelection(stores.d1, applicationId, plan), query.page, query.limit);
  const values = await stores.attributes.valuesOf(applicationId, records.map((r) => r.user.id), wanted);
  const attributes = await toUserAttributes(stores.cipher, values, models);
  return {
    items: records.map((r) => toFilteredUser(r, attributes.filter((a) => a.user_id === r.user.id))),
    page,
  };
}
