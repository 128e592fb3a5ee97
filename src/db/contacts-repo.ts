import { and, eq, ne, or, sql, type SQL } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { newId } from "../crypto/tokens";
import type { Channel } from "../notify/purposes";
import type { NormalizedPhone } from "../schemas/contacts";
import type { Database } from "./client";
import { userEmails, userPhones, users } from "./schema/users";
import { rethrowContactConflict } from "./users-repo";

/** A contact to write: an email, or a phone with its parts. */
export type NewContact = { channel: "email"; email: string } | { channel: "sms"; phone: NormalizedPhone };

/** The flags a client names a stored entry by (deleteEmail / deleteMobileNumber). */
export interface ContactFlags {
  active: boolean;
  primary: boolean;
  verified: boolean;
}

/*
 * Both contact tables share user_id / is_primary / verified / active and differ in their identity
 * column (email, e164); statements are written once against the email table's type and run on
 * either table, as CustomersRepo does.
 */
function tableOf(channel: Channel) {
  const table = (channel === "email" ? userEmails : userPhones) as typeof userEmails;
  const identity = (channel === "email" ? userEmails.email : userPhones.e164) as typeof userEmails.email;
  return { table, identity };
}

const addressOf = (contact: NewContact) => (contact.channel === "email" ? contact.email : contact.phone.e164);

/** The row of a new contact, for either table (typed as an email row, see tableOf). */
function contactRow(applicationId: string, userId: string, contact: NewContact, flags: { primary: boolean | SQL; verified: boolean }, now: string) {
  return {
    id: newId(),
    userId,
    applicationId,
    ...(contact.channel === "email"
      ? { email: contact.email }
      : { countryCode: contact.phone.countryCode, phone: contact.phone.phone, e164: contact.phone.e164 }),
    ...flags,
    active: true,
    createdAt: now,
  } as unknown as typeof userEmails.$inferInsert;
}

/**
 * Contact changes that are not part of creating a user. Each statement carries its own guard, so
 * the invariants (one primary per kind, never the last verified contact, a verified contact on one
 * account only) hold however requests interleave: D1 runs statements one at a time.
 */
export class ContactsRepo {
  constructor(private readonly db: Database) {}

  /**
   * Marks the user's active email or phone (E.164) verified. False when the user no longer has that
   * contact; ContactTakenError when another account claimed it in the meantime.
   */
  async markVerified(applicationId: string, userId: string, channel: Channel, address: string, now = new Date().toISOString()): Promise<boolean> {
    return (await this.changed(applicationId, userId, [this.markVerifiedStatement(applicationId, userId, channel, address)], now)).length > 0;
  }

  /** markVerified as a statement, to batch with the write it belongs to (a provider link). */
  markVerifiedStatement(applicationId: string, userId: string, channel: Channel, address: string) {
    const { table, identity } = tableOf(channel);
    return this.db
      .update(table)
      .set({ verified: true })
      .where(and(eq(table.applicationId, applicationId), eq(table.userId, userId), eq(identity, address), eq(table.active, true)))
      .returning({ id: table.id });
  }

  /** Runs a contact change with the users.updated_at touch; answers its returned rows. Contact conflicts become ContactTakenError. */
  private async changed(applicationId: string, userId: string, statements: BatchItem<"sqlite">[], now: string): Promise<unknown[]> {
    try {
      const batch: BatchItem<"sqlite">[] = [...statements, this.touchStatement(applicationId, userId, now)];
      const results = await this.db.batch(batch as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
      return results[statements.length - 1] as unknown[];
    } catch (error) {
      rethrowContactConflict(error);
    }
  }

  /** addStatement, run: true when the contact was added (false: the account already listed it). */
  async add(applicationId: string, userId: string, contact: NewContact, now = new Date().toISOString()): Promise<boolean> {
    return (await this.changed(applicationId, userId, [this.addStatement(applicationId, userId, contact, now)], now)).length > 0;
  }

  /** removeStatement, run: true when the entry was removed. */
  async remove(applicationId: string, userId: string, channel: Channel, address: string, flags: ContactFlags, now = new Date().toISOString()): Promise<boolean> {
    return (await this.changed(applicationId, userId, [this.removeStatement(applicationId, userId, channel, address, flags)], now)).length > 0;
  }

  /** setPrimaryStatements, run: true when the entry is now the primary. */
  async setPrimary(applicationId: string, userId: string, channel: Channel, address: string, now = new Date().toISOString()): Promise<boolean> {
    return (await this.changed(applicationId, userId, this.setPrimaryStatements(applicationId, userId, channel, address), now)).length > 0;
  }

  /** Keeps users.updated_at current with contact changes. */
  touchStatement(applicationId: string, userId: string, now: string) {
    return this.db.update(users).set({ updatedAt: now }).where(and(eq(users.id, userId), eq(users.applicationId, applicationId)));
  }

  /** No primary of this kind on the account: a new contact must then become it. */
  private noPrimary(channel: Channel, userId: string): SQL {
    const { table } = tableOf(channel);
    return sql`not exists (select 1 from ${table} where ${table.userId} = ${userId} and ${table.primary} = 1)`;
  }

  /**
   * Adds an unverified contact; it is the primary when the account has none of its kind. Returns
   * nothing when the account already lists it. A contact another account has claimed (verified or
   * primary) fails the batch with ContactTakenError when this one would claim it too (as a primary).
   */
  addStatement(applicationId: string, userId: string, contact: NewContact, now: string) {
    const { table, identity } = tableOf(contact.channel);
    const row = contactRow(applicationId, userId, contact, { primary: this.noPrimary(contact.channel, userId), verified: false }, now);
    return this.db
      .insert(table)
      .values(row)
      .onConflictDoNothing({ target: [table.userId, identity] })
      .returning({ id: table.id });
  }

  /**
   * Removes a non-primary entry whose flags are exactly `flags`; a verified one only while another
   * verified contact (of either kind) stays on the account. Returns the removed row, if any.
   */
  removeStatement(applicationId: string, userId: string, channel: Channel, address: string, flags: ContactFlags) {
    const { table, identity } = tableOf(channel);
    const others = (kind: Channel) => {
      const other = tableOf(kind);
      const notThis = kind === channel ? sql` and ${other.identity} <> ${address}` : sql``;
      return sql`exists (select 1 from ${other.table} where ${other.table.userId} = ${userId} and ${other.table.verified} = 1 and ${other.table.active} = 1${notThis})`;
    };
    const otherVerified = sql`(${others("email")} or ${others("sms")})`;
    return this.db
      .delete(table)
      .where(
        and(
          eq(table.applicationId, applicationId),
          eq(table.userId, userId),
          eq(identity, address),
          eq(table.primary, false),
          eq(table.active, flags.active),
          eq(table.verified, flags.verified),
          or(eq(table.verified, false), otherVerified),
        ),
      )
      .returning({ id: table.id });
  }

  /**
   * Takes an unverified entry (primary or not) off the account: its address was proven by someone
   * else, who gets it. A verified entry is never released.
   */
  releaseUnverifiedStatement(applicationId: string, userId: string, channel: Channel, address: string) {
    const { table, identity } = tableOf(channel);
    return this.db
      .delete(table)
      .where(and(eq(table.applicationId, applicationId), eq(table.userId, userId), eq(identity, address), eq(table.verified, false)))
      .returning({ id: table.id });
  }

  /**
   * Makes a verified, active entry the primary of its kind: the old primary is cleared only when the
   * new one qualifies, in the same transaction, so there is never none and never two. The last
   * statement returns the new primary (empty when the entry did not qualify).
   */
  setPrimaryStatements(applicationId: string, userId: string, channel: Channel, address: string): [BatchItem<"sqlite">, BatchItem<"sqlite">] {
    const { table, identity } = tableOf(channel);
    const qualifies = and(eq(table.userId, userId), eq(table.applicationId, applicationId), eq(identity, address), eq(table.verified, true), eq(table.active, true));
    return [
      this.db
        .update(table)
        .set({ primary: false })
        .where(and(eq(table.userId, userId), eq(table.primary, true), ne(identity, address), sql`exists (select 1 from ${table} where ${qualifies})`)),
      this.db.update(table).set({ primary: true }).where(qualifies).returning({ id: table.id }),
    ];
  }

  /**
   * A contact the user just proved (contact change): it becomes the verified primary of its kind,
   * added if the account did not list it. The previous primary stays on the account, not primary.
   */
  verifiedPrimaryStatements(applicationId: string, userId: string, contact: NewContact, now: string): BatchItem<"sqlite">[] {
    const { table, identity } = tableOf(contact.channel);
    const address = addressOf(contact);
    const row = contactRow(applicationId, userId, contact, { primary: true, verified: true }, now);
    return [
      this.db.update(table).set({ primary: false }).where(and(eq(table.userId, userId), eq(table.primary, true), ne(identity, address))),
      this.db
        .insert(table)
        .values(row)
        .onConflictDoUpdate({ target: [table.userId, identity], set: { primary: true, verified: true, active: true } }),
      this.touchStatement(applicationId, userId, now),
    ];
  }
}
