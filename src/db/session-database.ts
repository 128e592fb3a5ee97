/*
 * One request's D1: every statement of the request runs in one D1 session (Sessions API), so reads
 * may be served by a read replica near the caller while staying sequentially consistent, and the
 * request can be made to read at least at a given bookmark (read-your-writes).
 *
 * It stands in for the D1 binding itself (wiring puts it in the request's env as `DB`), so every
 * repository, raw statement and batch of the request goes through the session without knowing it.
 */

/** What D1 bookmarks look like (four dash-separated hex fields; lexicographic order is time order). */
const BOOKMARK = /^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32}$/;

/** A bookmark from outside (a header, a stored value) is used only if it is well formed; anything else is ignored. */
export function validBookmark(value: string | null | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed && trimmed.length <= 64 && BOOKMARK.test(trimmed) ? trimmed : undefined;
}

/** The later of two bookmarks (D1 orders them lexicographically). */
export function laterBookmark(a: string | null | undefined, b: string | null | undefined): string | undefined {
  if (!a) return b ?? undefined;
  if (!b) return a;
  return a < b ? b : a;
}

const WRITE = /^\s*(insert|update|delete|replace|create|drop|alter)\b/i;

class SessionStatement {
  constructor(
    private readonly db: SessionDatabase,
    readonly sql: string,
    private readonly values: unknown[],
  ) {}

  bind(...values: unknown[]): D1PreparedStatement {
    return new SessionStatement(this.db, this.sql, values) as unknown as D1PreparedStatement;
  }

  /** The statement on `session`, bound. */
  on(session: D1DatabaseSession): D1PreparedStatement {
    const statement = session.prepare(this.sql);
    return this.values.length ? statement.bind(...this.values) : statement;
  }

  first<T>(column?: string): Promise<T | null> {
    const statement = this.db.statement(this);
    return column === undefined ? statement.first<T>() : statement.first<T>(column);
  }

  run<T>(): Promise<D1Result<T>> {
    return this.db.statement(this).run<T>();
  }

  all<T>(): Promise<D1Result<T>> {
    return this.db.statement(this).all<T>();
  }

  raw<T>(options?: { columnNames?: boolean }): Promise<T[] | [string[], ...T[]]> {
    const statement = this.db.statement(this);
    return options?.columnNames ? statement.raw<T>({ columnNames: true }) : statement.raw<T>();
  }
}

export class SessionDatabase {
  private session: D1DatabaseSession;
  /** Whether the request ran a statement that writes (its bookmark is then worth keeping). */
  wrote = false;

  constructor(
    private binding: D1Database,
    private readonly start: string,
  ) {
    this.session = binding.withSession(start);
  }

  /**
   * Moves the request to another database (the one its application lives in, src/db/shards.ts)
   * before it reads any application data. Bookmarks belong to one database, so the new session
   * starts from the request's constraint, not from a bookmark of the old one.
   */
  useDatabase(binding: D1Database): void {
    if (binding === this.binding) return;
    this.binding = binding;
    this.session = binding.withSession(validBookmark(this.start) ? "first-unconstrained" : this.start);
  }

  /** The latest bookmark the request's statements have seen, or null before the first. */
  bookmark(): string | null {
    return this.session.getBookmark();
  }

  /**
   * Makes the rest of the request read at `bookmark` or later: true if that needs a new session
   * (what the request has read so far is older), false if it already reads at least there.
   */
  catchUp(bookmark: string): boolean {
    const seen = this.session.getBookmark();
    if (seen !== null && seen >= bookmark) return false;
    this.session = this.binding.withSession(bookmark);
    return true;
  }

  statement(statement: SessionStatement): D1PreparedStatement {
    if (WRITE.test(statement.sql)) this.wrote = true;
    return statement.on(this.session);
  }

  prepare(sql: string): D1PreparedStatement {
    return new SessionStatement(this, sql, []) as unknown as D1PreparedStatement;
  }

  batch<T>(statements: D1PreparedStatement[]): Promise<D1Result<T>[]> {
    const own = statements as unknown as SessionStatement[];
    if (own.some((s) => WRITE.test(s.sql))) this.wrote = true;
    return this.session.batch<T>(own.map((s) => s.on(this.session)));
  }
}
