import { and, eq } from "drizzle-orm";
import type { Database } from "./client";
import { userEmails, userPhones, users } from "./schema/users";
import { rethrowContactConflict } from "./users-repo";

/** Contact changes that are not part of creating a user. */
export class ContactsRepo {
  constructor(private readonly db: Database) {}

  /**
   * Marks the user's active email or phone (E.164) verified. False when the user no longer has that
   * contact; ContactTakenError when another account claimed it in the meantime.
   */
  async markVerified(applicationId: string, userId: string, channel: "email" | "sms", address: string, now = new Date().toISOString()): Promise<boolean> {
    const update =
      channel === "email"
        ? this.db
            .update(userEmails)
            .set({ verified: true })
            .where(and(eq(userEmails.applicationId, applicationId), eq(userEmails.userId, userId), eq(userEmails.email, address), eq(userEmails.active, true)))
            .returning({ id: userEmails.id })
        : this.db
            .update(userPhones)
            .set({ verified: true })
            .where(and(eq(userPhones.applicationId, applicationId), eq(userPhones.userId, userId), eq(userPhones.e164, address), eq(userPhones.active, true)))
            .returning({ id: userPhones.id });
    try {
      const [updated] = await this.db.batch([
        update,
        this.db.update(users).set({ updatedAt: now }).where(and(eq(users.id, userId), eq(users.applicationId, applicationId))),
      ]);
      return updated.length > 0;
    } catch (error) {
      rethrowContactConflict(error);
    }
  }
}
