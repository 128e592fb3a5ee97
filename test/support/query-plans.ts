import { env } from "cloudflare:workers";

export interface RecordedStatement {
  sql: string;
  params: unknown[];
}

function bindMethods<T extends object>(target: T, override: (prop: string | symbol) => unknown): T {
  return new Proxy(target, {
    get(t, prop) {
      const replaced = override(prop);
      if (replaced !== undefined) return replaced;
      const value = Reflect.get(t, prop);
      return typeof value === "function" ? value.bind(t) : value;
    },
  });
}

/** env.DB, recording every statement (SQL and parameters) that code runs through it. */
export function recordingD1(): { d1: D1Database; statements: RecordedStatement[] } {
  const statements: RecordedStatement[] = [];
  const d1 = bindMethods(env.DB, (prop) =>
    prop === "prepare"
      ? (sql: string) => {
          const statement = env.DB.prepare(sql);
          return bindMethods(statement, (p) =>
            p === "bind"
              ? (...params: unknown[]) => {
                  statements.push({ sql, params });
                  return statement.bind(...params);
                }
              : undefined,
          );
        }
      : undefined,
  );
  return { d1, statements };
}

/** SQLite's plan for each statement, one line per statement ("SEARCH … | SEARCH …"). */
export async function queryPlans(statements: RecordedStatement[]): Promise<string[]> {
  return Promise.all(
    statements.map(async ({ sql, params }) => {
      const { results } = await env.DB.prepare(`explain query plan ${sql}`).bind(...params).all<{ detail: string }>();
      return results.map((r) => r.detail).join(" | ");
    }),
  );
}
