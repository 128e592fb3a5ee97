import { and, count, desc, eq, gte, lte, sql } from "drizzle-orm";
import type { Database } from "./client";
import { userJobs, type JobStatus } from "./schema/jobs";

export type JobRow = typeof userJobs.$inferSelect;
export type NewJobRow = typeof userJobs.$inferInsert;

export interface JobFilters {
  search?: string;
  startDate?: string;
  endDate?: string;
  status?: JobStatus;
  fileFormat?: string;
}

export interface ChunkProgress {
  total: number;
  success: number;
  error: number;
  cursor: string | null;
  parts: number[];
  columns?: string[];
}

export class JobsRepo {
  constructor(readonly db: Database) {}

  async insert(row: NewJobRow): Promise<void> {
    await this.db.insert(userJobs).values(row);
  }

  async find(applicationId: string, id: string): Promise<JobRow | undefined> {
    return this.db.select().from(userJobs).where(and(eq(userJobs.id, id), eq(userJobs.applicationId, applicationId))).get();
  }

  async list(
    applicationId: string,
    actionType: "import" | "export",
    filters: JobFilters,
    limit: number,
    offset: number,
  ): Promise<{ rows: JobRow[]; total: number }> {
    const where = and(
      eq(userJobs.applicationId, applicationId),
      eq(userJobs.actionType, actionType),
      filters.search ? sql`instr(lower(${userJobs.fileName}), ${filters.search.toLowerCase()}) > 0` : undefined,
      filters.startDate ? gte(userJobs.createdAt, filters.startDate) : undefined,
      filters.endDate ? lte(userJobs.createdAt, filters.endDate) : undefined,
      filters.status ? eq(userJobs.status, filters.status) : undefined,
      filters.fileFormat ? eq(userJobs.fileFormat, filters.fileFormat) : undefined,
    );
    const [rows, total] = await this.db.batch([
      this.db.select().from(userJobs).where(where).orderBy(desc(userJobs.createdAt), desc(userJobs.id)).limit(limit).offset(offset),
      this.db.select({ n: count() }).from(userJobs).where(where),
    ]);
    return { rows, total: total[0]?.n ?? 0 };
  }

  async update(id: string, changes: Partial<NewJobRow>): Promise<void> {
    await this.db
      .update(userJobs)
      .set({ ...changes, updatedAt: new Date().toISOString() })
      .where(eq(userJobs.id, id));
  }

  /**
   * Records a finished chunk: adds its counts and moves to the next chunk, only if the job is still
   * at `chunk` (a redelivered message cannot count a chunk twice). Answers whether it did.
   */
  async advance(id: string, chunk: number, progress: ChunkProgress): Promise<boolean> {
    const result = await this.db
      .update(userJobs)
      .set({
        chunk: chunk + 1,
        total: sql`${userJobs.total} + ${progress.total}`,
        success: sql`${userJobs.success} + ${progress.success}`,
        error: sql`${userJobs.error} + ${progress.error}`,
        cursor: progress.cursor,
        parts: progress.parts,
        ...(progress.columns ? { columns: progress.columns } : {}),
        updatedAt: new Date().toISOString(),
      })
      .where(and(eq(userJobs.id, id), eq(userJobs.chunk, chunk), eq(userJobs.status, "inprogress")))
      .run();
    return result.meta.changes > 0;
  }
}
