import { DurableObject } from "cloudflare:workers";
import { newId } from "../crypto/tokens";
import { failClosed } from "./fail-closed";

/** One counter kept by a LoginGuard object. */
export interface ThrottleRule {
  /** Counter name inside the object, e.g. `pair:<ip>`, `account`, `ip`. */
  key: string;
  /** Failed attempts allowed per window; the failure that reaches it starts a lock. */
  limit: number;
  windowMs: number;
  /** First lock; each further lock while strikes are remembered doubles it, up to maxLockMs. */
  lockMs: number;
  maxLockMs: number;
  /** A right password clears this counter (the account's own); shared ones (an IP's) only never count it. */
  resetOnSuccess: boolean;
  /** Not applied to this client IP when it logged in to the account successfully before. */
  unlessTrustedIp?: string;
}

export type Reservation = { allowed: true; ticket: string } | { allowed: false; retryAfterMs: number };

/** How an attempt ended: wrong password, right password, or never checked (another guard refused it). */
export type Outcome = "failure" | "success" | "cancelled";

// Strikes (how many locks in a row) are forgotten after a day without failures.
const STRIKE_MEMORY_MS = 86_400_000;
const TRUST_MS = 30 * 86_400_000;
// Refreshing a trusted IP's timestamp more often than this would make every login a write.
const TRUST_REFRESH_MS = 86_400_000;
const MAX_TRUSTED_IPS = 20;
const CLEANUP_INTERVAL_MS = STRIKE_MEMORY_MS + 3_600_000;
// A check whose outcome never arrives (the Worker died) stops holding its slot after this long.
const IN_FLIGHT_TTL_MS = 30_000;
// What a client is told to wait when the limit is only reached by checks still in progress.
const PENDING_RETRY_MS = 1_000;

interface Counter {
  key: string;
  failures: number;
  window_start: number;
  locked_until: number;
  strikes: number;
  updated_at: number;
}

/**
 * Failed-login counters for one key space (an account, or a client IP). A password check first
 * takes a slot: it is refused when failures plus checks still in flight already reach the limit,
 * and the whole decision runs without yielding, so N concurrent attempts against a limit of L get
 * exactly L through. Failures are stored; checks in flight and successes are kept in memory only,
 * so a correct login writes nothing here.
 */
export class LoginGuard extends DurableObject {
  private readonly sql: SqlStorage;
  private readonly inFlight = new Map<string, Map<string, number>>();
  private cleanupScheduled = false;

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env as never);
    this.sql = ctx.storage.sql;
    this.sql.exec(`create table if not exists counters (
      key text primary key,
      failures integer not null,
      window_start integer not null,
      locked_until integer not null,
      strikes integer not null,
      updated_at integer not null
    )`);
    this.sql.exec("create table if not exists trusted_ips (ip text primary key, seen_at integer not null)");
  }

  async reserve(rules: ThrottleRule[], now = Date.now()): Promise<Reservation> {
    let retryAfterMs = 0;
    const applicable = this.applicable(rules, now);
    for (const rule of applicable) {
      const counter = this.current(rule, now);
      if (counter.locked_until > now) retryAfterMs = Math.max(retryAfterMs, counter.locked_until - now);
      else if (counter.failures + this.pending(rule.key, now).size >= rule.limit) retryAfterMs = Math.max(retryAfterMs, PENDING_RETRY_MS);
    }
    if (retryAfterMs > 0) return { allowed: false, retryAfterMs };
    const ticket = newId();
    for (const rule of applicable) this.pending(rule.key, now).set(ticket, now);
    return { allowed: true, ticket };
  }

  async settle(ticket: string, rules: ThrottleRule[], outcome: Outcome, trustIp?: string, now = Date.now()): Promise<void> {
    for (const rule of rules) this.inFlight.get(rule.key)?.delete(ticket);
    if (outcome === "failure") {
      for (const rule of this.applicable(rules, now)) this.recordFailure(rule, now);
      await this.scheduleCleanup(now);
    } else if (outcome === "success") {
      for (const rule of rules) if (rule.resetOnSuccess && this.stored(rule.key)) this.sql.exec("delete from counters where key = ?", rule.key);
      if (trustIp) await this.trust(trustIp, now);
    }
  }

  override async alarm(): Promise<void> {
    this.cleanupScheduled = false;
    const now = Date.now();
    this.sql.exec("delete from counters where locked_until <= ?1 and updated_at <= ?2", now, now - STRIKE_MEMORY_MS);
    this.sql.exec("delete from trusted_ips where seen_at <= ?", now - TRUST_MS);
    await this.scheduleCleanup(now);
  }

  private recordFailure(rule: ThrottleRule, now: number) {
    const counter = this.current(rule, now);
    counter.failures += 1;
    counter.updated_at = now;
    if (counter.failures >= rule.limit && counter.locked_until <= now) {
      counter.locked_until = now + Math.min(rule.maxLockMs, rule.lockMs * 2 ** counter.strikes);
      counter.strikes += 1;
    }
    this.sql.exec(
      `insert into counters (key, failures, window_start, locked_until, strikes, updated_at) values (?, ?, ?, ?, ?, ?)
       on conflict (key) do update set failures = excluded.failures, window_start = excluded.window_start,
         locked_until = excluded.locked_until, strikes = excluded.strikes, updated_at = excluded.updated_at`,
      counter.key,
      counter.failures,
      counter.window_start,
      counter.locked_until,
      counter.strikes,
      counter.updated_at,
    );
  }

  private stored(key: string): Counter | undefined {
    return this.sql.exec<Counter & Record<string, SqlStorageValue>>("select * from counters where key = ?", key).toArray()[0];
  }

  /** The rule's stored counter as it stands at `now`: an expired lock or window starts afresh. */
  private current(rule: ThrottleRule, now: number): Counter {
    const counter = this.stored(rule.key) ?? { key: rule.key, failures: 0, window_start: now, locked_until: 0, strikes: 0, updated_at: now };
    if (now - counter.updated_at >= STRIKE_MEMORY_MS) counter.strikes = 0;
    const lockOver = counter.locked_until !== 0 && counter.locked_until <= now;
    if (lockOver || now - counter.window_start >= rule.windowMs) {
      counter.failures = 0;
      counter.window_start = now;
      counter.locked_until = 0;
    }
    return counter;
  }

  /** Checks of this counter still in progress (ticket → start), forgetting ones that never finished. */
  private pending(key: string, now: number): Map<string, number> {
    let tickets = this.inFlight.get(key);
    if (!tickets) this.inFlight.set(key, (tickets = new Map()));
    for (const [ticket, startedAt] of tickets) if (now - startedAt > IN_FLIGHT_TTL_MS) tickets.delete(ticket);
    return tickets;
  }

  private applicable(rules: ThrottleRule[], now: number): ThrottleRule[] {
    return rules.filter((r) => !(r.unlessTrustedIp && this.trustedSince(r.unlessTrustedIp, now) !== undefined));
  }

  private trustedSince(ip: string, now: number): number | undefined {
    const row = this.sql.exec<{ seen_at: number }>("select seen_at from trusted_ips where ip = ?", ip).toArray()[0];
    return row && now - row.seen_at < TRUST_MS ? row.seen_at : undefined;
  }

  private async trust(ip: string, now: number) {
    const seenAt = this.trustedSince(ip, now);
    if (seenAt !== undefined && now - seenAt < TRUST_REFRESH_MS) return;
    this.sql.exec("insert into trusted_ips (ip, seen_at) values (?1, ?2) on conflict (ip) do update set seen_at = ?2", ip, now);
    this.sql.exec("delete from trusted_ips where ip not in (select ip from trusted_ips order by seen_at desc limit ?)", MAX_TRUSTED_IPS);
    await this.scheduleCleanup(now);
  }

  private async scheduleCleanup(now: number) {
    if (this.cleanupScheduled) return;
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(now + CLEANUP_INTERVAL_MS);
    this.cleanupScheduled = true;
  }
}

/** The guard object for one key space of one application (an account, or a client IP). */
export function loginGuardStub(namespace: DurableObjectNamespace<LoginGuard>, applicationId: string, scope: string) {
  return failClosed(namespace.get(namespace.idFromName(`${applicationId}:${scope}`)), "The login throttle");
}
