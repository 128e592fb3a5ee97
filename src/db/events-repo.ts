import { and, asc, count, desc, eq, gte, inArray, sql, type SQL } from "drizzle-orm";
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

  /**
   * An insert that only happens when `condition` holds when the batch reaches it: records a change
   * guarded against a race (e.g. "the update before me applied") without recording one that did not.
   */
  insertWhenStatement(event: NewEvent, condition: SQL) {
    const data = event.data === undefined || event.data === null ? null : JSON.stringify(event.data);
    // Every column of `events`, in the table's order (drizzle inserts a raw select into all of them).
    return this.db.insert(events).select(
      sql`select ${newId()}, ${event.applicationId}, ${event.userId ?? null}, ${event.type}, ${event.title}, ${event.subTitle ?? null},
        ${event.actor}, ${event.visible === false ? 0 : 1}, ${data}, ${event.createdAt ?? new Date().toISOString()} where ${condition}`,
    );
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

  /**
   * How many events of each of `types` the application has per UTC day since `since` (an ISO
   * timestamp). Reads the (application, type, created_at) index alone, one range per type; the
   * application id is compared plainly here (not inApplication) because that index is the one to use.
   */
  async dailyCounts(applicationId: string, types: string[], since: string): Promise<{ day: string; type: string; count: number }[]> {
    const day = sql<string>`substr(${events.createdAt}, 1, 10)`;
    return this.db
      .select({ day, type: events.type, count: count() })
      .from(events)
      .where(and(eq(events.applicationId, applicationId), inArray(events.type, types), gte(events.createdAt, since)))
      .groupBy(day, events.type)
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
