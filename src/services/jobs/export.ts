import { usersAfter } from "../../db/user-filter-sql";
import type { UserRecord } from "../../db/users-repo";
import type { AttributeModel } from "../attributes/model";
import { valueToText, type AttributeValue } from "../attributes/types";
import { readValue } from "../attributes/values";
import { csvLine } from "./csv";
import { ATTRIBUTE_COLUMN, type ImportDeps } from "./import";
import { userStatus } from "../accounts/users";

/*
 * Customer export in the import format: a file exported from one application imports into another
 * (with the same attribute slugs defined) and yields the same customers. Encrypted attributes are
 * written decrypted: the file is only reachable through the platform-authenticated download.
 */

const BASE_COLUMNS = ["user_id", "first_name", "last_name", "email", "phone_number", "gender", "dob", "external_id", "rr_id", "status", "created_at"];

export function exportColumns(models: Map<string, AttributeModel>): string[] {
  return [...BASE_COLUMNS, ...[...models.values()].map((m) => `${ATTRIBUTE_COLUMN}${m.row.slug}`)];
}

const primaryFirst = <T extends { primary: boolean; active: boolean }>(items: T[]) => items.filter((i) => i.active).sort((a, b) => Number(b.primary) - Number(a.primary))[0];

function baseCells(record: UserRecord): Record<string, string> {
  const { user } = record;
  return {
    user_id: user.id,
    first_name: user.firstName,
    last_name: user.lastName,
    email: primaryFirst(record.emails)?.email ?? "",
    phone_number: primaryFirst(record.phones)?.e164 ?? "",
    gender: user.gender ?? "",
    dob: user.dob ?? "",
    external_id: user.externalId ?? "",
    rr_id: user.rrId ?? "",
    status: userStatus(user),
    created_at: user.createdAt,
  };
}

export interface ExportCursor {
  createdAt: string;
  id: string;
}

/** The CSV lines of the next `limit` customers after `cursor`, and where the next chunk starts. */
export async function exportChunk(
  stores: ImportDeps,
  models: Map<string, AttributeModel>,
  applicationId: string,
  columns: string[],
  cursor: ExportCursor | undefined,
  limit: number,
): Promise<{ csv: string; count: number; next: ExportCursor | undefined }> {
  const rows = await usersAfter(stores.db, applicationId, cursor, limit);
  const records = await stores.users.withContacts(rows);
  const values = await stores.attributes.valuesOf(applicationId, rows.map((r) => r.id));
  const bySlug = new Map<string, Map<string, AttributeValue>>();
  for (const v of values) {
    const model = models.get(v.definitionId);
    if (!model) continue;
    const key = `${ATTRIBUTE_COLUMN}${model.row.slug}`;
    if (!bySlug.has(v.userId)) bySlug.set(v.userId, new Map());
    bySlug.get(v.userId)!.set(key, await readValue(stores.cipher, v));
  }
  const modelsByColumn = new Map([...models.values()].map((m) => [`${ATTRIBUTE_COLUMN}${m.row.slug}`, m]));
  let csv = "";
  for (const record of records) {
    const base = baseCells(record);
    const attrs = bySlug.get(record.user.id);
    csv += csvLine(
      columns.map((column) => {
        if (column in base) return base[column]!;
        const value = attrs?.get(column);
        const model = modelsByColumn.get(column);
        return value === undefined || !model ? "" : valueToText(value, model.row.isMultiValue, model.type);
      }),
    );
  }
  const last = rows.at(-1);
  return { csv, count: rows.length, next: last ? { createdAt: last.createdAt, id: last.id } : cursor };
}
