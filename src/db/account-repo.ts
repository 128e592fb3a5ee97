import { and, eq, isNull, sql, type SQL } from "drizzle-orm";
import type { Database } from "./client";
import { users } from "./schema/users";

/** What a user may change about itself (updateProfile). */
export type ProfileFields = Partial<Pick<typeof users.$inferInsert, "firstName" | "lastName" | "gender" | "dob" | "profilePicUrl" | "consent">>;

/** Writes of the storefront user to its own account row: its profile, and asking for erasure. */
export class AccountRepo {
  constructor(private readonly db: Database) {}

  updateProfileStatement(applicationId: string, userId: string, fields: ProfileFields, now: string) {
    return this.db
      .update(users)
      .set({ ...fields, updatedAt: now })
      .where(and(eq(users.id, userId), eq(users.applicationId, applicationId)));
  }

  /**
   * Clears what whoever held the account before its first proven contact could have set: the
   * password and the profile fields (a pre-registered account taken over by the contact's owner).
   */
  resetForNewOwnerStatement(applicationId: string, userId: string, now: string) {
    return this.db
      .update(users)
      .set({ passwordHash: null, passwordChangedAt: null, firstName: "", lastName: "", gender: null, dob: null, profilePicUrl: "", consent: null, meta: {}, updatedAt: now })
      .where(and(eq(users.id, userId), eq(users.applicationId, applicationId)));
  }

  /** Schedules the erasure; a no-op when one is already scheduled or the account is gone. */
  scheduleDeletionStatement(applicationId: string, userId: string, deleteOn: string, now: string) {
    return this.db
      .update(users)
      .set({ deleteOn, updatedAt: now })
      .where(and(eq(users.id, userId), eq(users.applicationId, applicationId), isNull(users.deleteOn), isNull(users.erasedAt), eq(users.archived, false)));
  }

  /** True (as SQL) once scheduleDeletionStatement applied with this exact date. */
  deletionScheduled(userId: string, deleteOn: string): SQL {
    return sql`exists (select 1 from ${users} where ${users.id} = ${userId} and ${users.deleteOn} = ${deleteOn})`;
  }
}
