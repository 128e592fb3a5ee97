import fc from "fast-check";
import { shapeOf, type ShapeContext } from "./arbitraries";
import { resolve, type Operation, type Schema } from "./openapi";
import { garbageAuthorization, garbageCookie, OWN } from "./payloads";

/** Which credentials a generated request carries. */
export type AuthMode = "valid" | "none" | "foreign" | "garbage";
/** Which f.session cookie a request to a session route carries. */
export type CookieMode = "valid" | "none" | "foreign" | "garbage";

/** A request before it is encoded; malformed generators edit this. */
export interface Draft {
  /** Path parameter values; `raw` ones are put into the path without percent-encoding. */
  params: Record<string, { value: string; raw?: boolean }>;
  query: [string, string][];
  /** Query segments appended as they are (bad percent-encoding, odd keys). */
  rawQuery: string[];
  body?: { json: unknown } | { raw: string };
  /** undefined: the operation's own; null: no content-type header. */
  contentType?: string | null;
  auth: AuthMode;
  cookie: CookieMode;
  /** The malformed Authorization and Cookie values of the "garbage" modes (`{own}`: the valid value). */
  garbage: { authorization: string; cookie: string };
  /** What the malformed generator changed, for failure reports. */
  mutations: string[];
}

/** The credentials of the fuzzed tenant and of another company's tenant, by security scheme. */
export interface Credentials {
  own: Record<string, string>;
  foreign: Record<string, string>;
  /** f.session values: a live session of the tenant's user, and one of another tenant's user. */
  cookie: { own: string; foreign: string };
}

export interface BuiltRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

const SESSION_SCHEME = "sessionCookie";
const authorizationScheme = (op: Operation) => op.security.find((s) => s !== SESSION_SCHEME);
export const needsSession = (op: Operation) => op.security.includes(SESSION_SCHEME);

function encodeBody(contentType: string, body: Draft["body"]): string | undefined {
  if (!body) return undefined;
  if ("raw" in body) return body.raw;
  if (/x-www-form-urlencoded/i.test(contentType) && body.json && typeof body.json === "object" && !Array.isArray(body.json)) {
    const form = new URLSearchParams();
    for (const [key, value] of Object.entries(body.json)) form.append(key, typeof value === "string" ? value : JSON.stringify(value));
    return form.toString();
  }
  return JSON.stringify(body.json);
}

/** Lone surrogates become U+FFFD, as a URL parser would make them (encodeURIComponent throws on them). */
const wellFormed = (value: string) => value.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");

export function buildRequest(op: Operation, draft: Draft, credentials: Credentials): BuiltRequest {
  const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const param = draft.params[name];
    if (!param) return "";
    return param.raw ? param.value : encodeURIComponent(wellFormed(param.value));
  });
  const query = [new URLSearchParams(draft.query).toString(), ...draft.rawQuery].filter(Boolean).join("&");
  const headers: Record<string, string> = {};
  const scheme = authorizationScheme(op);
  if (scheme && draft.auth !== "none") {
    const own = credentials.own[scheme] ?? "";
    const value = draft.auth === "garbage" ? draft.garbage.authorization.replaceAll(OWN, own) : (draft.auth === "foreign" ? credentials.foreign : credentials.own)[scheme];
    if (value !== undefined) headers.authorization = value;
  }
  if (needsSession(op) && draft.cookie !== "none") {
    const { own, foreign } = credentials.cookie;
    headers.cookie = draft.cookie === "garbage" ? draft.garbage.cookie.replaceAll(OWN, own) : `f.session=${draft.cookie === "foreign" ? foreign : own}`;
  }
  const contentType = draft.contentType === undefined ? op.body?.contentType : draft.contentType;
  const body = op.method === "GET" ? undefined : encodeBody(contentType ?? "", draft.body);
  if (body !== undefined && contentType) headers["content-type"] = contentType;
  return { method: op.method, path: query ? `${path}?${query}` : path, headers, ...(body === undefined ? {} : { body }) };
}

function queryValues(ctx: ShapeContext, name: string, raw: Schema): fc.Arbitrary<string[]> {
  const schema = resolve(ctx.doc, raw);
  const single = (s: Schema) => shapeOf(s, ctx, name).map((v) => (typeof v === "string" ? v : JSON.stringify(v)));
  if (schema.type === "array") return fc.array(single(schema.items ?? {}), { minLength: 1, maxLength: 3 });
  return single(schema).map((v) => [v]);
}

/**
 * Requests a well-behaved client could send: path, query and body drawn from the operation's schemas,
 * the tenant's own ids in the path, and mostly valid credentials.
 */
export function validDraft(op: Operation, ctx: ShapeContext, tenantParams: Record<string, string>): fc.Arbitrary<Draft> {
  const pathParams = op.parameters.filter((p) => p.in === "path");
  const queryParams = op.parameters.filter((p) => p.in === "query");
  const params = fc.record(
    Object.fromEntries(
      pathParams.map((p) => [
        p.name,
        (tenantParams[p.name] !== undefined ? fc.constant(tenantParams[p.name]!) : shapeOf(p.schema, ctx, p.name).map(String)).map((value) => ({ value })),
      ]),
    ),
  );
  const query = fc
    .tuple(
      ...queryParams.map((p) => {
        const values = queryValues(ctx, p.name, p.schema).map((vs) => vs.map((v): [string, string] => [p.name, v]));
        return p.required ? values : fc.option(values, { nil: [] as [string, string][] });
      }),
    )
    .map((lists) => lists.flat());
  const body = op.body ? shapeOf(op.body.schema, ctx).map((json) => ({ json })) : fc.constant(undefined);
  const mode = fc.constantFrom<AuthMode>("valid", "valid", "valid", "valid", "valid", "valid", "none", "foreign", "garbage");
  const garbage = fc.record({ authorization: garbageAuthorization, cookie: garbageCookie });
  return fc
    .record({ params, query, body, auth: mode, cookie: mode, garbage })
    .map((d): Draft => ({ ...d, ...(d.body ? { body: d.body } : {}), rawQuery: [], mutations: [] }));
}
