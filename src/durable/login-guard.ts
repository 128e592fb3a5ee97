import { DurableObject } from "cloudflare:workers";

/** One counter kept by a LoginGuard object. */
export interface ThrottleRule {
  /** Counter name inside the object, e.g. `pair:<ip>`, `account`, `ip`. */
  key: string;
  /** Attempts allowed per window; the attempt that reaches it is let through and starts a lock. */
  limit: number;
  windowMs: number;
  /** First lock; each further lock while strikes are remembered doubles it, up to maxLockMs. */
  lockMs: number;
  maxLockMs: number;
  /** Not applied to this client IP when it logged in to the account successfully before. */
  unlessTrustedIp?: string;
}

export interface Settlement {
  /** Counters to clear entirely (the account's own: a correct password ends the suspicion). */
  reset: string[];
  /** Counters to give one attempt back (shared ones, such as an IP's, where one success forgives one attempt). */
  refund: string[];
  /** Remember this IP as one the account logs in from. */
  trustIp?: string;
}

export type Reservation = { allowed: true } | { allowed: false; retryAfterMs: number };

// Strikes (how many locks in a row) are forgotten after a day without attempts.
const STRIKE_MEMORY_MS = 86_400_000;
const TRUST_MS = 30 * 86_400_000;
const MAX_TRUSTED_IPS = 20;
const CLEANUP_INTERVAL_MS = STRIKE_MEMORY_MS + 3_600_000;

interface Counter {
  key: string;
  count: number;
  window_start: number;
  locked_until: number;
  strikes: number;
  updated_at: number;
}

/**
 * Failed-login counters. Every attempt is charged *before* the password is checked and only given
 * back when it turns out correct, and the whole check-and-charge runs without yielding, so N
 * concurrent attempts against a limit of L get exactly L through — there is no window between
 * "check" and "count" for a burst to slip into.
 */
export class LoginGuard extends DurableObject {
  private readonly sql: SqlStorage;
  private cleanupScheduled = false;

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env as never);
    this.sql = ctx.storage.sql;
    this.sql.exec(`create table if not exists counters (
      key text primary key,
      count integer not null,
      window_start integer not null,
      locked_until integer not null,
      strikes integer not null,
      updated_at integer not null
    )`);
    this.sql.exec("create table if not exists trusted_ips (ip text primary key, seen_at integer not null)");
  }

  async reserve(rules: ThrottleRule[], now = Date.now()): Promise<Reservation> {
    const applicable = rules.filter((r) => !(r.unlessTrustedIp && this.isTrusted(r.unlessTrustedIp, now)));
    const counters = applicable.map((rule) => ({ rule, counter: this.current(rule, now) }));
    let retryAfterMs = 0;
    for (const { counter } of counters) {
      if (counter.locked_until > now) retryAfterMs = Math.max(retryAfterMs, counter.locked_until - now);
    }
    if (retryAfterMs > 0) return { allowed: false, retryAfterMs };
    for (const { rule, counter } of counters) {
      counter.count += 1;
      counter.updated_at = now;
      if (counter.count >= rule.limit) {
        counter.locked_until = now + Math.min(rule.maxLockMs, rule.lockMs * 2 ** counter.strikes);
        counter.strikes += 1;
      }
      this.save(counter);
    }
    await this.scheduleCleanup(now);
    return { allowed: true };
  }

  async settle(settlement: Settlement, now = Date.now()): Promise<void> {
    for (const key of settlement.reset) this.sql.exec("delete from counters where key = ?", key);
    for (const key of settlement.refund) {
      const counter = this.row(key);
      if (!counter || counter.count === 0) continue;
      counter.count -= 1;
      // The lock was started by the attempt being given back: without it the limit was not reached.
      if (counter.locked_until > now) {
        counter.locked_until = 0;
        counter.strikes = Math.max(0, counter.strikes - 1);
      }
      this.save(counter);
    }
    if (settlement.trustIp) {
      this.sql.exec(
        "insert into trusted_ips (ip, seen_at) values (?1, ?2) on conflict (ip) do update set seen_at = ?2",
        settlement.trustIp,
        now,
      );
      this.sql.exec(
        "delete from trusted_ips where ip not in (select ip from trusted_ips order by seen_at desc limit ?)",
        MAX_TRUSTED_IPS,
      );
    }
  }

  override async alarm(): Promise<void> {
    this.cleanupScheduled = false;
    const now = Date.now();
    this.sql.exec("delete from counters where locked_until <= ?1 and updated_at <= ?2", now, now - STRIKE_MEMORY_MS);
    this.sql.exec("delete from trusted_ips where seen_at <= ?", now - TRUST_MS);
    await this.scheduleCleanup(now);
  }

  /** The rule's counter as it stands now: an expired lock or window starts afresh. */
  private current(rule: ThrottleRule, now: number): Counter {
    const counter = this.row(rule.key) ?? { key: rule.key, count: 0, window_start: now, locked_until: 0, strikes: 0, updated_at: now };
    if (now - counter.updated_at >= STRIKE_MEMORY_MS) counter.strikes = 0;
    const lockOver = counter.locked_until !== 0 && counter.locked_until <= now;
    if (lockOver || now - counter.window_start >= rule.windowMs) {
      counter.count = 0;
      counter.window_start = now;
      counter.locked_until = 0;
    }
    return counter;
  }

  private row(key: string): Counter | undefined {
    return this.sql.exec<Counter & Record<string, SqlStorageValue>>("select * from counters where key = ?", key).toArray()[0];
  }

  private save(c: Counter) {
    this.sql.exec(
      `insert into counters (key, count, window_start, locked_until, strikes, updated_at) values (?, ?, ?, ?, ?, ?)
       on conflict (key) do update set count = excluded.count, window_start = excluded.window_start,
         locked_until = excluded.locked_until, strikes = excluded.strikes, updated_at = excluded.updated_at`,
      c.key,
      c.count,
      c.window_start,
      c.locked_until,
      c.strikes,
      c.updated_at,
    );
  }

  private isTrusted(ip: string, now: number): boolean {
    const row = this.sql.exec<{ seen_at: number }>("select seen_at from trusted_ips where ip = ?", ip).toArray()[0];
    return row !== undefined && now - row.seen_at < TRUST_MS;
  }

  private async scheduleCleanup(now: number) {
    if (this.cleanupScheduled) return;
    const empty = this.sql.exec<{ n: number }>("select (select count(*) from counters) + (select count(*) from trusted_ips) as n").one().n === 0;
    if (empty) return;
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(now + CLEANUP_INTERVAL_MS);
    this.cleanupScheduled = true;
  }
}

/** The guard object for one key space of one application (an account, or a client IP). */
export function loginGuardStub(namespace: DurableObjectNamespace<LoginGuard>, applicationId: string, scope: string) {
  return namespace.get(namespace.idFromName(`${applicationId}:${scope}`));
}
