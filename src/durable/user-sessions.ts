import { DurableObject } from "cloudflare:workers";
import { constantTimeEqual } from "../crypto/tokens";
import { failClosed } from "./fail-closed";

export interface SessionRecord {
  id: string;
  createdAt: number;
  lastSeenAt: number;
  /** Absolute end of the session, epoch ms. */
  expiresAt: number;
  /** Idle lifetime for rolling sessions, ms; 0 when the session is not rolling. */
  idleMs: number;
  userAgent: string;
  ip: string;
  domain: string;
}

export interface NewSession extends Omit<SessionRecord, "lastSeenAt"> {
  /** SHA-256 of the cookie secret; the secret itself never reaches storage. */
  secretHash: string;
}

/** `bookmark`: the D1 bookmark of the user's latest write, if one was noted (src/wiring/database.ts). */
export type Validation = { valid: true; session: SessionRecord; bookmark?: string } | { valid: false };

// Writing last_seen on every request would turn each check into a write; once a minute is enough
// for idle expiry and for "last active" in admin views.
const TOUCH_INTERVAL_MS = 60_000;
// A user signed in on more devices than this loses the least recently used session: without a cap a
// script holding the password could grow one object's storage (and every login's cleanup) forever.
export const MAX_SESSIONS_PER_USER = 100;

/**
 * One object per (application, user): the registry of that user's sessions and the single source of
 * truth for whether a session is valid. Requests for one user are serialised here, so a revocation
 * is seen by the very next validation, in every location.
 */
export class UserSessions extends DurableObject {
  private readonly sql: SqlStorage;
  // The cleanup alarm as last set by this instance (undefined: not known yet), so a login does not
  // read it back from storage every time.
  private alarmAt: number | null | undefined;
  // The user's latest D1 write bookmark, as stored (null: none yet; undefined: not read yet).
  private bookmark: string | null | undefined;

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env as never);
    this.sql = ctx.storage.sql;
    this.sql.exec(`create table if not exists sessions (
      id text primary key,
      secret_hash text not null,
      created_at integer not null,
      last_seen_at integer not null,
      expires_at integer not null,
      idle_ms integer not null,
      user_agent text not null,
      ip text not null,
      domain text not null
    )`);
    this.sql.exec("create table if not exists write_bookmark (id integer primary key check (id = 1), value text not null)");
  }

  /**
   * Keeps the later of the stored bookmark and `bookmark` (D1 bookmarks sort in time order): every
   * signed-in request then reads at least at the user's latest write, from any replica.
   */
  async noteBookmark(bookmark: string): Promise<void> {
    const current = this.storedBookmark();
    if (current !== null && current >= bookmark) return;
    this.sql.exec("insert into write_bookmark (id, value) values (1, ?) on conflict (id) do update set value = excluded.value", bookmark);
    this.bookmark = bookmark;
  }

  private storedBookmark(): string | null {
    if (this.bookmark === undefined) this.bookmark = this.sql.exec<{ value: string }>("select value from write_bookmark").toArray()[0]?.value ?? null;
    return this.bookmark;
  }

  async create(session: NewSession): Promise<void> {
    this.purgeExpired(Date.now());
    this.sql.exec(
      `insert into sessions (id, secret_hash, created_at, last_seen_at, expires_at, idle_ms, user_agent, ip, domain)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      session.id,
      session.secretHash,
      session.createdAt,
      session.createdAt,
      session.expiresAt,
      session.idleMs,
      session.userAgent,
      session.ip,
      session.domain,
    );
    // Counting first: the ordered delete measured ≈ 1.4 ms per login even with nothing to delete.
    if (this.sql.exec<{ n: number }>("select count(*) as n from sessions").one().n > MAX_SESSIONS_PER_USER) {
      this.sql.exec(
        "delete from sessions where id in (select id from sessions order by last_seen_at desc, created_at desc, rowid desc limit -1 offset ?)",
        MAX_SESSIONS_PER_USER,
      );
    }
    await this.scheduleCleanup();
  }

  async validate(id: string, secretHash: string, now = Date.now()): Promise<Validation> {
    const row = this.sql.exec<Row>("select * from sessions where id = ?", id).toArray()[0];
    if (!row || !constantTimeEqual(row.secret_hash, secretHash)) return { valid: false };
    const session = toRecord(row);
    if (!isLive(session, now)) {
      this.sql.exec("delete from sessions where id = ?", id);
      return { valid: false };
    }
    if (now - session.lastSeenAt >= TOUCH_INTERVAL_MS) {
      this.sql.exec("update sessions set last_seen_at = ? where id = ?", now, id);
      session.lastSeenAt = now;
    }
    const bookmark = this.storedBookmark();
    return bookmark === null ? { valid: true, session } : { valid: true, session, bookmark };
  }

  async list(now = Date.now()): Promise<SessionRecord[]> {
    this.purgeExpired(now);
    return this.sql.exec<Row>("select * from sessions order by created_at desc").toArray().map(toRecord);
  }

  /** Ends one session; returns whether it existed. */
  async revoke(id: string): Promise<boolean> {
    return this.sql.exec("delete from sessions where id = ?", id).rowsWritten > 0;
  }

  /** Ends every session, or every one but `keepId`; returns the ids ended. */
  async revokeAll(keepId?: string): Promise<string[]> {
    const rows = this.sql
      .exec<{ id: string }>("delete from sessions where id != ? returning id", keepId ?? "")
      .toArray();
    return rows.map((r) => r.id);
  }

  override async alarm(): Promise<void> {
    this.alarmAt = null;
    this.purgeExpired(Date.now());
    await this.scheduleCleanup();
  }

  private purgeExpired(now: number) {
    this.sql.exec(
      "delete from sessions where expires_at <= ?1 or (idle_ms > 0 and last_seen_at + idle_ms <= ?1)",
      now,
    );
  }

  private async scheduleCleanup() {
    const next = this.sql.exec<{ at: number | null }>("select min(expires_at) as at from sessions").one().at;
    if (next === null) return;
    if (this.alarmAt === undefined) this.alarmAt = await this.ctx.storage.getAlarm();
    if (this.alarmAt === null || this.alarmAt > next) {
      await this.ctx.storage.setAlarm(next);
      this.alarmAt = next;
    }
  }
}

type Row = {
  id: string;
  secret_hash: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  idle_ms: number;
  user_agent: string;
  ip: string;
  domain: string;
} & Record<string, SqlStorageValue>;

function toRecord(row: Row): SessionRecord {
  return {
    id: row.id,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    expiresAt: row.expires_at,
    idleMs: row.idle_ms,
    userAgent: row.user_agent,
    ip: row.ip,
    domain: row.domain,
  };
}

function isLive(session: SessionRecord, now: number): boolean {
  if (session.expiresAt <= now) return false;
  return session.idleMs === 0 || session.lastSeenAt + session.idleMs > now;
}

/** The object that holds one user's sessions. Keyed by application too, so tenants never share one. */
export function userSessionsStub(namespace: DurableObjectNamespace<UserSessions>, applicationId: string, userId: string) {
  return failClosed(namespace.get(namespace.idFromName(`${applicationId}:${userId}`)), "The session registry");
}
