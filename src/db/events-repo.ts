import { and, asc, desc, eq, sql } from "drizzle-orm";
import { newId } from "../crypto/tokens";
import type { Database } from "./client";
import { events } from "./schema/events";
import { inApplication } from "./tenant-filter";

export type EventRow = typeof events.$inferSelect;
export type NewEvent = Omit<typeof events.$inferInsert, "id" | "createdAt"> & { createdAt?: string };

export class EventsRepo {
  constructor(private readonly db: Database) {}

  /** The insert statement, so callers can put it in the same D1 batch as the change it records. */
  insertStatement(event: NewEvent) {
    return this.db.insert(events).values({ ...event, id: newId(), createdAt: event.createdAt ?? new Date().toISOString() });
  }

  /** The events of a user that is removed as if it never existed (a registration undone). */
  deleteForUserStatement(applicationId: string, userId: string) {
    return this.db.delete(events).where(and(eq(events.userId, userId), inApplication(events.applicationId, applicationId)));
  }

  async record(event: NewEvent): Promise<void> {
    await this.insertStatement(event);
  }

  async forUser(applicationId: string, userId: string): Promise<EventRow[]> {
    return this.db
      .select()
      .from(events)
      .where(and(eq(events.userId, userId), inApplication(events.applicationId, applicationId)))
      .orderBy(asc(events.createdAt))
      .all();
  }

  /** The user's visible events (the platform timeline), the latest `limit` of them, oldest first. */
  async timeline(applicationId: string, userId: string, limit: number): Promise<EventRow[]> {
    const rows = await this.db
      .select()
      .from(events)
      .where(and(eq(events.userId, userId), inApplication(events.applicationId, applicationId), eq(events.visible, true)))
      // rowid breaks ties between events written in the same millisecond (insertion order).
      .orderBy(desc(events.createdAt), sql`${events}.rowid desc`)
      .limit(limit)
      .all();
    return rows.reverse();
  }
}
