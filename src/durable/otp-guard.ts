import { DurableObject } from "cloudflare:workers";
import { failClosed } from "./fail-closed";

const WINDOW_MS = 3_600_000;

/**
 * The sends the cap and the cooldown count: settled ones and those still held (a hold a crashed
 * request never settled counts until its hour is over, failing closed).
 */
const COUNTED = "select at, purpose from sends union all select at, purpose from holds";

export type Reservation = { ok: true } | { ok: false; reason: "cooldown" | "cap"; retryAfterMs: number };

export type Attempt =
  | { result: "accepted" }
  | { result: "wrong"; attemptsLeft: number }
  /** The attempt budget is spent: the OTP is dead, even for the right code. */
  | { result: "exhausted" }
  /** Unknown, not delivered (yet), used, superseded or expired. */
  | { result: "gone" };

export interface ReserveInput {
  now: number;
  /** Sends of one purpose wait `cooldownMs` between them; other purposes do not. */
  purpose: string;
  cooldownMs: number;
  /** Sends allowed in any rolling hour, all purposes together. */
  hourlyLimit: number;
  /**
   * Holds the send until `settle(hold.id, delivered)`: while held it counts against the cap and the
   * cooldown like a sent message (so concurrent sends are still decided exactly), and a send settled
   * as not delivered is forgotten. Without a hold the send counts at once and for good.
   */
  hold?: SendHold;
}

export interface SendHold {
  id: string;
  /**
   * The OTP the send carries (its request_id is the hold's id). It goes live, superseding the live
   * OTPs of the same purpose, only once the send is settled as delivered; until then the previous
   * OTP keeps working.
   */
  otp?: { expiresAt: number };
}

export interface AttemptInput {
  now: number;
  requestId: string;
  /** Whether the submitted code matched (compared by the caller against the stored hash). */
  matched: boolean;
  maxAttempts: number;
}

/**
 * The counters of one scope (an application's destination, an application's client IP, or a platform
 * API client) that must hold under concurrency: send caps, the resend cooldown, verify attempts and
 * single-use claims.
 * Every method decides and writes without awaiting in between, so the object's input gate makes each
 * one atomic: 100 concurrent guesses are 100 serial calls here, and only `maxAttempts` are evaluated.
 * The OTP itself (its hash) lives in KV; this object never sees a code.
 * A send is reserved, then delivered, then settled, so a message the provider refused neither cools
 * down nor caps the destination nor replaces its live OTP. Held sends live in their own table
 * (`holds`), so objects created before holds existed keep their rows as they are: every `sends` row
 * is a settled send, and an old `revoked` OTP reads as gone.
 */
export class OtpGuard extends DurableObject {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env as never);
    this.sql = ctx.storage.sql;
    this.sql.exec(`create table if not exists sends (at integer not null, purpose text not null);
      create table if not exists otps (
        request_id text primary key,
        purpose text not null,
        expires_at integer not null,
        attempts integer not null,
        state text not null
      );
      create table if not exists claims (key text primary key, expires_at integer not null);
      create table if not exists holds (id text primary key, at integer not null, purpose text not null);`);
  }

  /** Decides one send against the cooldown and the hourly cap; sends still held count like sent ones. */
  async reserve(input: ReserveInput): Promise<Reservation> {
    const { now } = input;
    this.sql.exec("delete from sends where at <= ?", now - WINDOW_MS);
    this.sql.exec("delete from holds where at <= ?", now - WINDOW_MS);
    if (input.cooldownMs > 0) {
      const last = this.sql
        .exec<{ at: number | null }>(`select max(at) as at from (${COUNTED}) where purpose = ?`, input.purpose)
        .one().at;
      if (last !== null && last + input.cooldownMs > now) {
        return { ok: false, reason: "cooldown", retryAfterMs: last + input.cooldownMs - now };
      }
    }
    const window = this.sql.exec<{ n: number; oldest: number | null }>(`select count(*) as n, min(at) as oldest from (${COUNTED})`).one();
    if (window.n >= input.hourlyLimit && window.oldest !== null) {
      return { ok: false, reason: "cap", retryAfterMs: window.oldest + WINDOW_MS - now };
    }
    const { hold } = input;
    if (!hold) {
      this.sql.exec("insert into sends (at, purpose) values (?, ?)", now, input.purpose);
    } else {
      this.sql.exec("insert into holds (id, at, purpose) values (?, ?, ?)", hold.id, now, input.purpose);
      if (hold.otp) {
        this.sql.exec(
          "insert into otps (request_id, purpose, expires_at, attempts, state) values (?, ?, ?, 0, 'pending')",
          hold.id,
          input.purpose,
          hold.otp.expiresAt,
        );
      }
    }
    await this.scheduleCleanup(now);
    return { ok: true };
  }

  /**
   * Ends a hold. Delivered: the send counts for good and its OTP goes live in place of the previous
   * one. Not delivered: the send never happened for the cap and the cooldown, its OTP is dropped and
   * the previous OTP stays live.
   */
  async settle(holdId: string, delivered: boolean): Promise<void> {
    if (delivered) {
      this.sql.exec("insert into sends (at, purpose) select at, purpose from holds where id = ?", holdId);
      const otp = this.sql
        .exec<{ purpose: string }>("select purpose from otps where request_id = ? and state = 'pending'", holdId)
        .toArray()[0];
      if (otp) {
        this.sql.exec("update otps set state = 'superseded' where purpose = ? and state = 'live'", otp.purpose);
        this.sql.exec("update otps set state = 'live' where request_id = ?", holdId);
      }
    } else {
      this.sql.exec("delete from otps where request_id = ? and state = 'pending'", holdId);
    }
    this.sql.exec("delete from holds where id = ?", holdId);
  }

  async attempt(input: AttemptInput): Promise<Attempt> {
    const row = this.sql
      .exec<{ expires_at: number; attempts: number; state: string }>(
        "select expires_at, attempts, state from otps where request_id = ?",
        input.requestId,
      )
      .toArray()[0];
    if (!row || row.state !== "live" || row.expires_at <= input.now) return { result: "gone" };
    if (row.attempts >= input.maxAttempts) return { result: "exhausted" };
    const attempts = row.attempts + 1;
    this.sql.exec(
      "update otps set attempts = ?, state = ? where request_id = ?",
      attempts,
      input.matched ? "used" : "live",
      input.requestId,
    );
    return input.matched ? { result: "accepted" } : { result: "wrong", attemptsLeft: input.maxAttempts - attempts };
  }

  /** True for the first caller only: the exactly-once step of a single-use code. */
  async claim(key: string, expiresAt: number, now: number): Promise<boolean> {
    const claimed = this.sql.exec("insert or ignore into claims (key, expires_at) values (?, ?)", key, expiresAt).rowsWritten > 0;
    if (claimed) await this.scheduleCleanup(now);
    return claimed;
  }

  override async alarm(): Promise<void> {
    const now = Date.now();
    this.sql.exec("delete from sends where at <= ?", now - WINDOW_MS);
    this.sql.exec("delete from holds where at <= ?", now - WINDOW_MS);
    this.sql.exec("delete from otps where expires_at <= ?", now);
    this.sql.exec("delete from claims where expires_at <= ?", now);
    await this.scheduleCleanup(now);
  }

  private async scheduleCleanup(now: number) {
    const next = this.sql
      .exec<{ at: number | null }>(
        `select min(at) as at from (
          select min(at) + ${WINDOW_MS} as at from (${COUNTED})
          union all select min(expires_at) from otps
          union all select min(expires_at) from claims)`,
      )
      .one().at;
    if (next === null) return;
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > next) await this.ctx.storage.setAlarm(Math.max(next, now));
  }
}

/** The guard of one destination (email or E.164 phone) of one application. */
export function destinationGuard(namespace: DurableObjectNamespace<OtpGuard>, applicationId: string, channel: string, address: string) {
  return failClosed(namespace.get(namespace.idFromName(`dest:${applicationId}:${channel}:${address}`)), "The OTP guard");
}

/** The guard of one platform API client: single-use claims of its refresh tokens. */
export function platformClientGuard(namespace: DurableObjectNamespace<OtpGuard>, companyId: string, clientId: string) {
  return failClosed(namespace.get(namespace.idFromName(`client:${companyId}:${clientId}`)), "The token guard");
}

/** One of the guards that hold an application's single-use token-login claims (by jti). */
export function tokenIdGuard(namespace: DurableObjectNamespace<OtpGuard>, applicationId: string, shard: number) {
  return failClosed(namespace.get(namespace.idFromName(`jti:${applicationId}:${shard}`)), "The token-login guard");
}

/** The guard of one client IP of one application (send caps only). */
export function ipGuard(namespace: DurableObjectNamespace<OtpGuard>, applicationId: string, ip: string) {
  return failClosed(namespace.get(namespace.idFromName(`ip:${applicationId}:${ip || "unknown"}`)), "The OTP guard");
}
