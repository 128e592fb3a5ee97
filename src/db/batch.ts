import type { BatchItem } from "drizzle-orm/batch";
import type { Database } from "./client";

export type Statement = BatchItem<"sqlite">;

/** Runs statements as one D1 batch: one transaction, all or nothing. */
export async function commitBatch(db: Database, statements: Statement[]): Promise<void> {
  if (statements.length) await db.batch(statements as [Statement, ...Statement[]]);
}

/** Runs several reads in one round trip and answers all their rows together. */
export async function readAll<T>(db: Database, queries: Statement[]): Promise<T[]> {
  if (queries.length === 0) return [];
  return ((await db.batch(queries as [Statement, ...Statement[]])) as T[][]).flat();
}
