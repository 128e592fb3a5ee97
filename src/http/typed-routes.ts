import type { Hono } from "hono";
import type { AppEnv } from "./context";

type SchemaOf<Router> = Router extends Hono<AppEnv, infer S, "/"> ? S : never;
/** Walks the tuple instead of taking a union of the routers, which TypeScript may reduce to fewer members. */
type Schemas<Routers extends readonly unknown[]> = Routers extends readonly [infer First, ...infer Rest] ? SchemaOf<First> & Schemas<Rest> : {};

/**
 * One Hono type carrying every route of the given routers (a tuple: `[...] as const`), for `hc<App>()`
 * from hono/client. The routers must register their routes as a chain (`createRouter().openapi(…).openapi(…)`):
 * a route added as a separate statement works but is missing from the type.
 */
export type RoutesOf<Routers extends readonly unknown[]> = Hono<AppEnv, Schemas<Routers>, "/">;
