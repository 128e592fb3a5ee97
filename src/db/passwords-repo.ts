import { and, desc, eq, notInArray, sql } from "drizzle-orm";
import { newId } from "../crypto/tokens";
import type { Database } from "./client";
import { commonPasswords, passwordHistory } from "./schema/passwords";
import { users } from "./schema/users";

/** The most history any application can ask for (`password_settings.history.count` is capped there too). */
export const MAX_PASSWORD_HISTORY = 24;

const newestFirst = [desc(passwordHistory.createdAt), desc(sql`rowid`)] as const;

/** A user's current password hash and the history of earlier ones. */
export class PasswordsRepo {
  constructor(private readonly db: Database) {}

  /** Whether the password (any case) is on the common-passwords list. */
  async isCommon(password: string): Promise<boolean> {
    const row = await this.db
      .select({ password: commonPasswords.password })
      .from(commonPasswords)
      .where(eq(commonPasswords.password, password.toLowerCase()))
      .get();
    return row !== undefined;
  }

  /** The last `limit` hashes the user set, newest first (the current one included). */
  async recentHashes(userId: string, limit: number): Promise<string[]> {
    if (limit <= 0) return [];
    const rows = await this.db
      .select({ hash: passwordHistory.hash })
      .from(passwordHistory)
      .where(eq(passwordHistory.userId, userId))
      .orderBy(...newestFirst)
      .limit(limit);
    return rows.map((r) => r.hash);
  }

  /** Statements that record `hash` in the history and drop entries beyond the maximum kept. */
  historyStatements(applicationId: string, userId: string, hash: string, now: string) {
    const kept = this.db
      .select({ id: passwordHistory.id })
      .from(passwordHistory)
      .where(eq(passwordHistory.userId, userId))
      .orderBy(...newestFirst)
      .limit(MAX_PASSWORD_HISTORY);
    return [
      this.db.insert(passwordHistory).values({ id: newId(), userId, applicationId, hash, createdAt: now }),
      this.db.delete(passwordHistory).where(and(eq(passwordHistory.userId, userId), notInArray(passwordHistory.id, kept))),
    ] as const;
  }

  /** Statement that makes `hash` the user's password. */
  setCurrentStatement(applicationId: string, userId: string, hash: string, now: string) {
    return this.db
      .update(users)
      .set({ passwordHash: hash, passwordChangedAt: now, updatedAt: now })
      .where(and(eq(users.id, userId), eq(users.applicationId, applicationId)));
  }

  /**
   * Replaces a hash made with older parameters by one of the same password made with the current
   * ones, in the user row and in the history. Guarded by the old value, so a password changed in the
   * meantime is left alone.
   */
  async upgradeHash(applicationId: string, userId: string, oldHash: string, newHash: string): Promise<void> {
    await this.db.batch([
      this.db
        .update(users)
        .set({ passwordHash: newHash })
        .where(and(eq(users.id, userId), eq(users.applicationId, applicationId), eq(users.passwordHash, oldHash))),
      this.db
        .update(passwordHistory)
        .set({ hash: newHash })
        .where(and(eq(passwordHistory.userId, userId), eq(passwordHistory.hash, oldHash))),
    ]);
  }
}
