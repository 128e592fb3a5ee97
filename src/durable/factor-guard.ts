import { DurableObject } from "cloudflare:workers";
import { failClosed } from "./fail-closed";

export type Peek = { found: true; value: string; attempts: number } | { found: false };

/**
 * The single-use state of strong authentication that must hold under concurrency: WebAuthn
 * challenges, MFA tickets and the last TOTP step a user spent.
 * Every method decides and writes without awaiting in between, so the object's input gate makes each
 * one atomic: of N concurrent `take`s of one item exactly one gets it, and a TOTP step is accepted
 * once. Items carry their own expiry and are dropped by an alarm after it.
 */
export class FactorGuard extends DurableObject {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env as never);
    this.sql = ctx.storage.sql;
    this.sql.exec(`create table if not exists items (
        key text primary key, value text not null, expires_at integer not null, attempts integer not null default 0);
      create table if not exists steps (name text primary key, step integer not null);`);
  }

  async put(key: string, value: string, expiresAt: number, now: number): Promise<void> {
    this.sql.exec("insert or replace into items (key, value, expires_at, attempts) values (?, ?, ?, 0)", key, value, expiresAt);
    await this.scheduleCleanup(now);
  }

  /** The item and how many failed attempts it has seen, if it is still live; nothing is used up. */
  async peek(key: string, now: number): Promise<Peek> {
    const row = this.live(key, now);
    return row ? { found: true, value: row.value, attempts: row.attempts } : { found: false };
  }

  /** The item, removed in the same step: true single use (the first caller only). */
  async take(key: string, now: number): Promise<string | undefined> {
    const row = this.live(key, now);
    this.sql.exec("delete from items where key = ?", key);
    return row?.value;
  }

  /** Counts a failed attempt on the item; at `maxAttempts` it is gone. Returns the attempts left. */
  async fail(key: string, maxAttempts: number, now: number): Promise<number> {
    const row = this.live(key, now);
    if (!row) return 0;
    const attempts = row.attempts + 1;
    if (attempts >= maxAttempts) this.sql.exec("delete from items where key = ?", key);
    else this.sql.exec("update items set attempts = ? where key = ?", attempts, key);
    return Math.max(0, maxAttempts - attempts);
  }

  /**
   * Accepts a time step of a one-time-code generator (`name`) only if it is later than every step
   * accepted before: a code can be spent once, and never after a newer one.
   */
  async advanceStep(name: string, step: number): Promise<boolean> {
    const last = this.sql.exec<{ step: number }>("select step from steps where name = ?", name).toArray()[0]?.step;
    if (last !== undefined && step <= last) return false;
    this.sql.exec("insert or replace into steps (name, step) values (?, ?)", name, step);
    return true;
  }

  /** Forgets every item and step (a second factor reset or removed: nothing issued before stays usable). */
  async clear(): Promise<void> {
    this.sql.exec("delete from items");
    this.sql.exec("delete from steps");
  }

  override async alarm(): Promise<void> {
    const now = Date.now();
    this.sql.exec("delete from items where expires_at <= ?", now);
    await this.scheduleCleanup(now);
  }

  private live(key: string, now: number) {
    const row = this.sql
      .exec<{ value: string; expires_at: number; attempts: number }>("select value, expires_at, attempts from items where key = ?", key)
      .toArray()[0];
    return row && row.expires_at > now ? row : undefined;
  }

  private async scheduleCleanup(now: number) {
    const next = this.sql.exec<{ at: number | null }>("select min(expires_at) as at from items").one().at;
    if (next === null) return;
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > next) await this.ctx.storage.setAlarm(Math.max(next, now));
  }
}

/** The guard of one WebAuthn challenge (one object each: sign-ins of a busy store never queue behind each other). */
export function challengeGuard(namespace: DurableObjectNamespace<FactorGuard>, applicationId: string, challenge: string) {
  return failClosed(namespace.get(namespace.idFromName(`challenge:${applicationId}:${challenge}`)), "The challenge store");
}

/** The guard of one user's second factor: their MFA tickets and the TOTP steps they spent. */
export function userFactorGuard(namespace: DurableObjectNamespace<FactorGuard>, applicationId: string, userId: string) {
  return failClosed(namespace.get(namespace.idFromName(`user:${applicationId}:${userId}`)), "The second-factor guard");
}
