import { and, eq } from "drizzle-orm";
import type { Database } from "./client";
import { userIdentities } from "./schema/social";
import { inApplication } from "./tenant-filter";

export type IdentityRow = typeof userIdentities.$inferSelect;

/** A write hit the (application, provider, subject) key: that provider account is already linked. */
export function isIdentityConflict(error: unknown): boolean {
  return /UNIQUE constraint failed: user_identities\./.test(String((error as Error)?.message ?? error));
}

/** Storage of the provider accounts linked to users. */
export class IdentitiesRepo {
  constructor(private readonly db: Database) {}

  async find(applicationId: string, provider: string, subject: string): Promise<IdentityRow | undefined> {
    return this.db
      .select()
      .from(userIdentities)
      .where(
        and(eq(userIdentities.applicationId, applicationId), eq(userIdentities.provider, provider), eq(userIdentities.subject, subject)),
      )
      .get();
  }

  /** Unlinks every provider account of the user (archive): the next sign-in with one of them starts afresh. */
  releaseStatement(applicationId: string, userId: string) {
    return this.db.delete(userIdentities).where(and(eq(userIdentities.userId, userId), inApplication(userIdentities.applicationId, applicationId)));
  }

  /** The insert, to batch with the user it belongs to or the event that records the link. */
  insertStatement(row: IdentityRow) {
    return this.db.insert(userIdentities).values(row);
  }
}
