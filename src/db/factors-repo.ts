import { and, asc, eq, isNull, lt, sql } from "drizzle-orm";
import type { Database } from "./client";
import { passkeys, recoveryCodes, totpFactors } from "./schema/factors";
import { inApplication } from "./tenant-filter";

export type PasskeyRow = typeof passkeys.$inferSelect;
export type TotpRow = typeof totpFactors.$inferSelect;

/** A write hit the (application, credential id) key: that authenticator is already registered. */
export function isCredentialConflict(error: unknown): boolean {
  return /UNIQUE constraint failed: passkeys\./.test(String((error as Error)?.message ?? error));
}

/** Storage of passkeys (WebAuthn credentials). */
export class PasskeysRepo {
  constructor(private readonly db: Database) {}

  async forUser(applicationId: string, userId: string): Promise<PasskeyRow[]> {
    return this.db
      .select()
      .from(passkeys)
      .where(and(eq(passkeys.userId, userId), inApplication(passkeys.applicationId, applicationId)))
      .orderBy(asc(passkeys.createdAt))
      .all();
  }

  async byCredentialId(applicationId: string, credentialId: string): Promise<PasskeyRow | undefined> {
    return this.db
      .select()
      .from(passkeys)
      .where(and(eq(passkeys.applicationId, applicationId), eq(passkeys.credentialId, credentialId)))
      .get();
  }

  insertStatement(row: PasskeyRow) {
    return this.db.insert(passkeys).values(row);
  }

  /**
   * Moves the counter forward and stamps the use, only if it is still below the new value: of two
   * assertions racing with the same counter (a cloned authenticator) one moves it, the other finds
   * nothing to update. An authenticator without a counter (0) always updates.
   */
  async recordUse(id: string, newCounter: number, now: string): Promise<boolean> {
    const guard = newCounter === 0 ? eq(passkeys.counter, 0) : lt(passkeys.counter, newCounter);
    const result = await this.db.update(passkeys).set({ counter: newCounter, lastUsedAt: now }).where(and(eq(passkeys.id, id), guard)).run();
    return result.meta.changes > 0;
  }

  renameStatement(applicationId: string, userId: string, id: string, name: string) {
    return this.db
      .update(passkeys)
      .set({ name })
      .where(and(eq(passkeys.id, id), eq(passkeys.userId, userId), inApplication(passkeys.applicationId, applicationId)))
      .returning({ id: passkeys.id });
  }

  deleteStatement(applicationId: string, userId: string, id: string) {
    return this.db
      .delete(passkeys)
      .where(and(eq(passkeys.id, id), eq(passkeys.userId, userId), inApplication(passkeys.applicationId, applicationId)))
      .returning({ id: passkeys.id, name: passkeys.name });
  }

  /** Every passkey of the user (account erased or archived). */
  deleteAllStatement(applicationId: string, userId: string) {
    return this.db.delete(passkeys).where(and(eq(passkeys.userId, userId), inApplication(passkeys.applicationId, applicationId)));
  }
}

/** Storage of the TOTP second factor and its recovery codes. */
export class SecondFactorRepo {
  constructor(private readonly db: Database) {}

  async totp(applicationId: string, userId: string): Promise<TotpRow | undefined> {
    return this.db
      .select()
      .from(totpFactors)
      .where(and(eq(totpFactors.userId, userId), eq(totpFactors.applicationId, applicationId)))
      .get();
  }

  /** A new, unconfirmed enrollment; replaces an earlier unconfirmed one, never a confirmed one. */
  async startEnrollment(applicationId: string, userId: string, secret: string, now: string): Promise<boolean> {
    const result = await this.db
      .insert(totpFactors)
      .values({ applicationId, userId, secret, createdAt: now, confirmedAt: null })
      .onConflictDoUpdate({
        target: [totpFactors.applicationId, totpFactors.userId],
        set: { secret, createdAt: now },
        setWhere: isNull(totpFactors.confirmedAt),
      })
      .run();
    return result.meta.changes > 0;
  }

  /** Confirms the enrollment made with `secret`, once (a racing confirm of the same one finds it confirmed). */
  confirmStatement(applicationId: string, userId: string, secret: string, now: string) {
    return this.db
      .update(totpFactors)
      .set({ confirmedAt: now })
      .where(and(eq(totpFactors.userId, userId), eq(totpFactors.applicationId, applicationId), eq(totpFactors.secret, secret), isNull(totpFactors.confirmedAt)))
      .returning({ userId: totpFactors.userId });
  }

  removeStatements(applicationId: string, userId: string) {
    return [
      this.db.delete(totpFactors).where(and(eq(totpFactors.userId, userId), eq(totpFactors.applicationId, applicationId))),
      this.db.delete(recoveryCodes).where(and(eq(recoveryCodes.userId, userId), eq(recoveryCodes.applicationId, applicationId))),
    ];
  }

  /** The user's recovery codes become exactly `hashes` (all unused). */
  replaceRecoveryCodesStatements(applicationId: string, userId: string, hashes: string[]) {
    return [
      this.db.delete(recoveryCodes).where(and(eq(recoveryCodes.userId, userId), eq(recoveryCodes.applicationId, applicationId))),
      this.db.insert(recoveryCodes).values(hashes.map((codeHash) => ({ applicationId, userId, codeHash, usedAt: null }))),
    ];
  }

  /** Spends one recovery code: true for the first caller only. */
  async useRecoveryCode(applicationId: string, userId: string, codeHash: string, now: string): Promise<boolean> {
    const result = await this.db
      .update(recoveryCodes)
      .set({ usedAt: now })
      .where(
        and(
          eq(recoveryCodes.applicationId, applicationId),
          eq(recoveryCodes.userId, userId),
          eq(recoveryCodes.codeHash, codeHash),
          isNull(recoveryCodes.usedAt),
        ),
      )
      .run();
    return result.meta.changes > 0;
  }

  async unusedRecoveryCodes(applicationId: string, userId: string): Promise<number> {
    const row = await this.db
      .select({ n: sql<number>`count(*)` })
      .from(recoveryCodes)
      .where(and(eq(recoveryCodes.applicationId, applicationId), eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt)))
      .get();
    return row?.n ?? 0;
  }
}
