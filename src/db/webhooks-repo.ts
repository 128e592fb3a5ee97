import { and, asc, count, desc, eq, gte, inArray, isNotNull, lt, lte, or, sql } from "drizzle-orm";
import { commitBatch, type Statement } from "./batch";
import type { Database } from "./client";
import { events } from "./schema/events";
import { webhookAttempts, webhookDeliveries, webhookEndpoints, webhookOutbox, type DeliveryStatus } from "./schema/webhooks";

export type EndpointRow = typeof webhookEndpoints.$inferSelect;
export type NewEndpointRow = typeof webhookEndpoints.$inferInsert;
export type DeliveryRow = typeof webhookDeliveries.$inferSelect;
export type NewDeliveryRow = typeof webhookDeliveries.$inferInsert;
export type AttemptRow = typeof webhookAttempts.$inferSelect;
export type EventRecord = typeof events.$inferSelect;

/** How many attempts the delivery log keeps per endpoint. */
export const ATTEMPTS_KEPT = 100;

const inApp = (applicationId: string, id: string) => and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.applicationId, applicationId));

export class WebhooksRepo {
  constructor(readonly db: Database) {}

  commit(statements: Statement[]): Promise<void> {
    return commitBatch(this.db, statements);
  }

  // Endpoints

  async insertEndpoint(row: NewEndpointRow): Promise<void> {
    await this.db.insert(webhookEndpoints).values(row);
  }

  async findEndpoint(applicationId: string, id: string): Promise<EndpointRow | undefined> {
    return this.db.select().from(webhookEndpoints).where(inApp(applicationId, id)).get();
  }

  async listEndpoints(applicationId: string, limit: number, offset: number): Promise<{ rows: EndpointRow[]; total: number }> {
    const where = eq(webhookEndpoints.applicationId, applicationId);
    const [rows, total] = await this.db.batch([
      this.db.select().from(webhookEndpoints).where(where).orderBy(desc(webhookEndpoints.createdAt), desc(webhookEndpoints.id)).limit(limit).offset(offset),
      this.db.select({ n: count() }).from(webhookEndpoints).where(where),
    ]);
    return { rows, total: total[0]?.n ?? 0 };
  }

  async hasEnabledEndpoint(applicationId: string): Promise<boolean> {
    const row = await this.db
      .select({ id: webhookEndpoints.id })
      .from(webhookEndpoints)
      .where(and(eq(webhookEndpoints.applicationId, applicationId), eq(webhookEndpoints.enabled, true)))
      .limit(1)
      .get();
    return row !== undefined;
  }

  async enabledEndpoints(applicationId: string): Promise<EndpointRow[]> {
    return this.db
      .select()
      .from(webhookEndpoints)
      .where(and(eq(webhookEndpoints.applicationId, applicationId), eq(webhookEndpoints.enabled, true)))
      .all();
  }

  /** Updates an endpoint; false when it is not one of the application's. */
  async updateEndpoint(applicationId: string, id: string, changes: Partial<NewEndpointRow>): Promise<boolean> {
    const result = await this.updateEndpointStatement(applicationId, id, changes);
    return result.meta.changes > 0;
  }

  updateEndpointStatement(applicationId: string, id: string, changes: Partial<NewEndpointRow>) {
    return this.db.update(webhookEndpoints).set(changes).where(inApp(applicationId, id));
  }

  /** The endpoint, its deliveries and its log; false when it is not one of the application's. */
  async deleteEndpoint(applicationId: string, id: string): Promise<boolean> {
    const [removed] = await this.db.batch([
      this.db.delete(webhookEndpoints).where(inApp(applicationId, id)),
      this.db.delete(webhookDeliveries).where(and(eq(webhookDeliveries.endpointId, id), eq(webhookDeliveries.applicationId, applicationId))),
      this.db.delete(webhookAttempts).where(and(eq(webhookAttempts.endpointId, id), eq(webhookAttempts.applicationId, applicationId))),
    ]);
    return removed.meta.changes > 0;
  }

  /** Marks the endpoint failing from `at` on, unless it already was. */
  failingStatement(id: string, at: string) {
    return this.db.update(webhookEndpoints).set({ failingSince: at }).where(and(eq(webhookEndpoints.id, id), sql`${webhookEndpoints.failingSince} is null`));
  }

  answeringStatement(id: string) {
    return this.db.update(webhookEndpoints).set({ failingSince: null }).where(and(eq(webhookEndpoints.id, id), isNotNull(webhookEndpoints.failingSince)));
  }

  // Outbox

  async hasOutbox(applicationId: string): Promise<boolean> {
    const row = await this.db.select({ id: webhookOutbox.eventId }).from(webhookOutbox).where(eq(webhookOutbox.applicationId, applicationId)).limit(1).get();
    return row !== undefined;
  }

  /** The application's outbox entries with their events (an entry whose event is gone comes with none). */
  async outbox(applicationId: string, limit: number): Promise<{ eventId: string; event: EventRecord | null }[]> {
    const rows = await this.db
      .select({ eventId: webhookOutbox.eventId, event: events })
      .from(webhookOutbox)
      .leftJoin(events, eq(events.id, webhookOutbox.eventId))
      .where(eq(webhookOutbox.applicationId, applicationId))
      .orderBy(asc(webhookOutbox.createdAt))
      .limit(limit)
      .all();
    return rows.map((r) => ({ eventId: r.eventId, event: r.event?.id ? r.event : null }));
  }

  /** Applications whose outbox has entries older than `before` (a fan-out that never ran). */
  async staleOutboxApplications(before: string, limit: number): Promise<string[]> {
    const rows = await this.db
      .selectDistinct({ applicationId: webhookOutbox.applicationId })
      .from(webhookOutbox)
      .where(lt(webhookOutbox.createdAt, before))
      .limit(limit)
      .all();
    return rows.map((r) => r.applicationId);
  }

  deleteOutboxStatement(eventIds: string[]) {
    return this.db.delete(webhookOutbox).where(inArray(webhookOutbox.eventId, eventIds));
  }

  // Deliveries

  /** New deliveries; one whose id already exists (a repeated fan-out) is left as it is. */
  insertDeliveriesStatement(rows: NewDeliveryRow[]) {
    return this.db.insert(webhookDeliveries).values(rows).onConflictDoNothing();
  }

  async insertDelivery(row: NewDeliveryRow): Promise<void> {
    await this.db.insert(webhookDeliveries).values(row);
  }

  /** The not yet attempted deliveries of these events (to enqueue after a fan-out). */
  async unsentDeliveries(applicationId: string, eventIds: string[]): Promise<DeliveryRow[]> {
    if (eventIds.length === 0) return [];
    return this.db
      .select()
      .from(webhookDeliveries)
      .where(
        and(
          eq(webhookDeliveries.applicationId, applicationId),
          inArray(webhookDeliveries.eventId, eventIds),
          eq(webhookDeliveries.status, "pending"),
          eq(webhookDeliveries.attempts, 0),
        ),
      )
      .all();
  }

  async findDelivery(applicationId: string, id: string): Promise<DeliveryRow | undefined> {
    return this.db
      .select()
      .from(webhookDeliveries)
      .where(and(eq(webhookDeliveries.id, id), eq(webhookDeliveries.applicationId, applicationId)))
      .get();
  }

  /**
   * Takes the next attempt of a pending delivery: only the caller that saw `attempts` and finds it due
   * wins, so a duplicate queue message never makes a second concurrent attempt. `leaseUntil` keeps the
   * sweep away while the attempt runs.
   */
  async claimAttempt(id: string, attempts: number, dueBy: string, at: string, leaseUntil: string): Promise<boolean> {
    const result = await this.db
      .update(webhookDeliveries)
      .set({ attempts: attempts + 1, lastAttemptAt: at, nextAttemptAt: leaseUntil })
      .where(
        and(
          eq(webhookDeliveries.id, id),
          eq(webhookDeliveries.status, "pending"),
          eq(webhookDeliveries.attempts, attempts),
          or(sql`${webhookDeliveries.nextAttemptAt} is null`, lte(webhookDeliveries.nextAttemptAt, dueBy)),
        ),
      );
    return result.meta.changes > 0;
  }

  deliveryOutcomeStatement(
    id: string,
    outcome: { status: DeliveryStatus; lastStatus: number; nextAttemptAt: string | null; deliveredAt?: string },
  ) {
    return this.db.update(webhookDeliveries).set(outcome).where(eq(webhookDeliveries.id, id));
  }

  /** A delivery whose endpoint is gone or turned off: it stops, without an attempt. */
  async stopDelivery(id: string): Promise<void> {
    await this.db.update(webhookDeliveries).set({ status: "dead", nextAttemptAt: null }).where(and(eq(webhookDeliveries.id, id), eq(webhookDeliveries.status, "pending")));
  }

  async listDeliveries(
    applicationId: string,
    endpointId: string,
    filters: { status?: DeliveryStatus },
    limit: number,
    offset: number,
  ): Promise<{ rows: DeliveryRow[]; total: number }> {
    const where = and(
      eq(webhookDeliveries.endpointId, endpointId),
      eq(webhookDeliveries.applicationId, applicationId),
      filters.status ? eq(webhookDeliveries.status, filters.status) : undefined,
    );
    const [rows, total] = await this.db.batch([
      this.db.select().from(webhookDeliveries).where(where).orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id)).limit(limit).offset(offset),
      this.db.select({ n: count() }).from(webhookDeliveries).where(where),
    ]);
    return { rows, total: total[0]?.n ?? 0 };
  }

  /**
   * Puts deliveries of the endpoint back to pending with a fresh attempt budget: one by id, or every
   * one created since `since` (at most `limit`, oldest first). Answers the ids to enqueue.
   */
  async replay(applicationId: string, endpointId: string, which: { id: string } | { since: string; limit: number }, now: string): Promise<string[]> {
    const scope = and(eq(webhookDeliveries.endpointId, endpointId), eq(webhookDeliveries.applicationId, applicationId));
    const where = "id" in which ? and(scope, eq(webhookDeliveries.id, which.id)) : and(scope, gte(webhookDeliveries.createdAt, which.since));
    const ids = (
      await this.db
        .select({ id: webhookDeliveries.id })
        .from(webhookDeliveries)
        .where(where)
        .orderBy(asc(webhookDeliveries.createdAt))
        .limit("id" in which ? 1 : which.limit)
        .all()
    ).map((r) => r.id);
    if (ids.length === 0) return [];
    await this.db
      .update(webhookDeliveries)
      .set({ status: "pending", attempts: 0, nextAttemptAt: now, deliveredAt: null })
      .where(and(scope, inArray(webhookDeliveries.id, ids)));
    return ids;
  }

  /** Pending deliveries whose next attempt is long overdue: their queue message was lost (a crash). */
  async overdueDeliveries(before: string, limit: number): Promise<{ id: string; applicationId: string }[]> {
    return this.db
      .select({ id: webhookDeliveries.id, applicationId: webhookDeliveries.applicationId })
      .from(webhookDeliveries)
      .where(and(eq(webhookDeliveries.status, "pending"), lt(webhookDeliveries.nextAttemptAt, before)))
      .limit(limit)
      .all();
  }

  /** Finished deliveries created before `before` (retention). */
  async pruneDeliveries(before: string, limit: number): Promise<number> {
    const result = await this.db.delete(webhookDeliveries).where(
      inArray(
        webhookDeliveries.id,
        this.db
          .select({ id: webhookDeliveries.id })
          .from(webhookDeliveries)
          .where(and(lt(webhookDeliveries.createdAt, before), sql`${webhookDeliveries.status} <> 'pending'`))
          .limit(limit),
      ),
    );
    return result.meta.changes;
  }

  // The delivery log

  /** Records an attempt and drops the endpoint's attempts beyond the last ATTEMPTS_KEPT (same batch). */
  attemptStatements(row: typeof webhookAttempts.$inferInsert): Statement[] {
    return [
      this.db.insert(webhookAttempts).values(row),
      this.db.delete(webhookAttempts).where(
        and(
          eq(webhookAttempts.endpointId, row.endpointId),
          sql`${webhookAttempts.id} not in (select ${webhookAttempts.id} from ${webhookAttempts} where ${webhookAttempts.endpointId} = ${row.endpointId}
            order by ${webhookAttempts.attemptedAt} desc, rowid desc limit ${ATTEMPTS_KEPT})`,
        ),
      ),
    ];
  }

  async attempts(applicationId: string, endpointId: string): Promise<AttemptRow[]> {
    return this.db
      .select()
      .from(webhookAttempts)
      .where(and(eq(webhookAttempts.endpointId, endpointId), eq(webhookAttempts.applicationId, applicationId)))
      .orderBy(desc(webhookAttempts.attemptedAt), sql`rowid desc`)
      .limit(ATTEMPTS_KEPT)
      .all();
  }
}
