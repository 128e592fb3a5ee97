import { and, eq } from "drizzle-orm";
import { newId } from "../crypto/tokens";
import type { Database } from "./client";
import { applicationOrigins, applications, platformClients } from "./schema/tenants";

export type ApplicationRow = typeof applications.$inferSelect;
export type PlatformClientRow = typeof platformClients.$inferSelect;

/** Storage of tenants: applications, their CORS origins, and platform API clients. */
export class ApplicationsRepo {
  constructor(
    private readonly db: Database,
    private readonly d1: D1Database,
  ) {}

  async findApplication(id: string): Promise<ApplicationRow | undefined> {
    return this.db.select().from(applications).where(eq(applications.id, id)).get();
  }

  async findPlatformClient(companyId: string, clientId: string): Promise<PlatformClientRow | undefined> {
    return this.db
      .select()
      .from(platformClients)
      .where(and(eq(platformClients.clientId, clientId), eq(platformClients.companyId, companyId)))
      .get();
  }

  async isOriginAllowedForAnyApplication(origin: string): Promise<boolean> {
    const row = await this.db
      .select({ applicationId: applicationOrigins.applicationId })
      .from(applicationOrigins)
      .where(eq(applicationOrigins.origin, origin))
      .limit(1)
      .get();
    return row !== undefined;
  }

  /**
   * Replaces the config and the origin allowlist in one batch (a D1 batch is one transaction),
   * guarded by the version read before, so two concurrent admin updates cannot interleave:
   * the origin statements only apply when this write's unique etag is the one stored.
   */
  async saveConfig(
    applicationId: string,
    expectedVersion: number,
    config: Record<string, unknown>,
    origins: string[],
    now: string,
  ): Promise<boolean> {
    const etag = newId();
    const ours = "exists (select 1 from applications where id = ?1 and config_etag = ?2)";
    const results = await this.d1.batch([
      this.d1
        .prepare("update applications set config = ?3, config_version = config_version + 1, config_etag = ?2, updated_at = ?4 where id = ?1 and config_version = ?5")
        .bind(applicationId, etag, JSON.stringify(config), now, expectedVersion),
      this.d1.prepare(`delete from application_origins where application_id = ?1 and ${ours}`).bind(applicationId, etag),
      ...origins.map((origin) =>
        this.d1
          .prepare(`insert into application_origins (application_id, origin) select ?1, ?3 where ${ours}`)
          .bind(applicationId, etag, origin),
      ),
    ]);
    return (results[0]?.meta.changes ?? 0) === 1;
  }
}
