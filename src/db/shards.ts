/*
 * Which D1 database holds an application's data. One database today (the `DB` binding, which also
 * holds the tenant tables); past one database (docs/scaling.md) this map names another binding per
 * application, and nothing above src/db/ and src/wiring/ changes: every repository already runs
 * on the database the request's wiring hands it.
 */

/** Application id → D1 binding name, for applications that live outside `DB`. Empty today. */
const APPLICATION_DATABASES: Readonly<Record<string, string>> = {};

/** The database of `applicationId` among the Worker's bindings (`DB` unless the map says otherwise). */
export function applicationDatabase(bindings: { DB: D1Database }, applicationId: string): D1Database {
  const name = APPLICATION_DATABASES[applicationId];
  if (name === undefined) return bindings.DB;
  const binding = (bindings as unknown as Record<string, D1Database | undefined>)[name];
  if (!binding) throw new Error(`application ${applicationId} is mapped to the missing D1 binding ${name}`);
  return binding;
}
