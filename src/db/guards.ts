import { sql, type SQL } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Database } from "./client";
import { writeGuards } from "./schema/guards";

/** A batch was aborted by its guard: what it checked before writing changed under it. */
export class StaleWriteError extends Error {
  constructor() {
    super("the data changed while the write was prepared");
    this.name = "StaleWriteError";
  }
}

/**
 * A batch item that aborts its batch when `violated` holds at that point of the batch. Placed last, it
 * re-checks, inside the transaction, a rule the caller checked on data it read earlier: two concurrent
 * writes that each passed the check on their own read cannot together break it (write skew).
 */
export function abortIf(db: Database, violated: SQL): BatchItem<"sqlite"> {
  return db.insert(writeGuards).select(sql`select null where ${violated}`);
}

/** Turns a guard's abort into StaleWriteError; anything else is rethrown as it is. */
export function rethrowStaleWrite(error: unknown): void {
  if (/NOT NULL constraint failed: write_guards\.violation/.test(String((error as Error)?.message ?? error))) throw new StaleWriteError();
}
