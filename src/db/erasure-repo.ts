import { and, eq, inArray, isNotNull, isNull, lte, sql, type SQL } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Database } from "./client";
import { attributeSubjects, attributeValues, userAttributes } from "./schema/attributes";
import { events } from "./schema/events";
import { passkeys, recoveryCodes, totpFactors } from "./schema/factors";
import { userGroupMembers } from "./schema/groups";
import { passwordHistory } from "./schema/passwords";
import { userIdentities } from "./schema/social";
import { userEmails, userPhones, users } from "./schema/users";

export interface DueAccount {
  id: string;
  applicationId: string;
}

/** Stored in place of the username, which is derived from the email or phone. */
export const ERASED_USERNAME = "deleted_user";

/**
 * The erasure of accounts whose deletion date has passed: personal data goes, the row stays as an
 * anonymised stub so the timeline (and references from orders elsewhere) still resolve.
 */
export class ErasureRepo {
  constructor(private readonly db: Database) {}

  /** Accounts due at `now`, oldest deadline first (over users_erasure_due_idx). */
  async due(now: string, limit: number): Promise<DueAccount[]> {
    return this.db
      .select({ id: users.id, applicationId: users.applicationId })
      .from(users)
      .where(and(isNotNull(users.deleteOn), isNull(users.erasedAt), lte(users.deleteOn, now)))
      .orderBy(users.deleteOn)
      .limit(limit)
      .all();
  }

  /** True (as SQL) once this run's erasure of the user applied: every later statement of the batch is guarded by it. */
  erasedBy(userId: string, now: string): SQL {
    return sql`exists (select 1 from ${users} where ${users.id} = ${userId} and ${users.erasedAt} = ${now})`;
  }

  /**
   * One batch (one transaction) for one account. The first statement claims the row — only while it
   * is still due, so an undelete that got there first wins — and returns it; every other statement
   * does nothing unless that claim applied. Contacts are deleted, which releases them for new accounts.
   */
  eraseStatements(account: DueAccount, now: string): [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]] {
    const { id } = account;
    const erased = this.erasedBy(id, now);
    const subject = this.db.select({ seq: attributeSubjects.seq }).from(attributeSubjects).where(eq(attributeSubjects.userId, id));
    return [
      this.db
        .update(users)
        .set({
          firstName: "",
          lastName: "",
          gender: null,
          dob: null,
          profilePicUrl: "",
          meta: {},
          externalId: null,
          rrId: null,
          consent: null,
          passwordHash: null,
          passwordChangedAt: null,
          username: ERASED_USERNAME,
          archived: true,
          erasedAt: now,
          updatedAt: now,
        })
        .where(and(eq(users.id, id), eq(users.applicationId, account.applicationId), isNull(users.erasedAt), lte(users.deleteOn, now)))
        .returning({ id: users.id }),
      this.db.delete(userEmails).where(and(eq(userEmails.userId, id), erased)),
      this.db.delete(userPhones).where(and(eq(userPhones.userId, id), erased)),
      this.db.delete(passwordHistory).where(and(eq(passwordHistory.userId, id), erased)),
      this.db.delete(userIdentities).where(and(eq(userIdentities.userId, id), erased)),
      this.db.delete(passkeys).where(and(eq(passkeys.userId, id), erased)),
      this.db.delete(totpFactors).where(and(eq(totpFactors.applicationId, account.applicationId), eq(totpFactors.userId, id), erased)),
      this.db.delete(recoveryCodes).where(and(eq(recoveryCodes.applicationId, account.applicationId), eq(recoveryCodes.userId, id), erased)),
      this.db.delete(attributeValues).where(and(inArray(attributeValues.subject, subject), erased)),
      this.db.delete(userAttributes).where(and(eq(userAttributes.userId, id), erased)),
      this.db.delete(attributeSubjects).where(and(eq(attributeSubjects.userId, id), erased)),
      this.db.delete(userGroupMembers).where(and(eq(userGroupMembers.userId, id), erased)),
      // Event titles are generic; subtitles and data may hold an email, a typed reason, a social address.
      this.db.update(events).set({ subTitle: null, data: null }).where(and(eq(events.userId, id), erased)),
    ];
  }

  /** Runs the erasure with `alongside` (guarded the same way) in one batch; true when it applied. */
  async erase(account: DueAccount, now: string, alongside: BatchItem<"sqlite">[]): Promise<boolean> {
    const [claimed] = (await this.db.batch([...this.eraseStatements(account, now), ...alongside])) as [{ id: string }[], ...unknown[]];
    return claimed.length > 0;
  }
}
