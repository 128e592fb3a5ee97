import fc from "fast-check";
import { resolve, type OpenApiDocument, type Schema } from "./openapi";

/**
 * Values of the right shape for a schema: what a well-behaved client could send. Field names add
 * realistic values the schema cannot express (an email for `email`, a real user id for `user_id`), so
 * generated requests get past the first check and reach the service.
 */
export interface ShapeContext {
  doc: OpenApiDocument;
  /** Realistic values by field name (`user_id` → ids of real users, here and in other tenants). */
  known: Record<string, fc.Arbitrary<string>>;
  /** Ids of things that exist (users of every tenant, and whatever earlier requests created), for any other `…id` field. */
  ids: fc.Arbitrary<string>;
}

// Keeps valid-shaped requests small; "huge" is the malformed generator's job.
const MAX_ITEMS = 4;
const MAX_FREE_STRING = 40;

const mobile = fc.stringMatching(/^[6-9]\d{9}$/);
const email = fc
  .tuple(fc.stringMatching(/^[a-z0-9]{1,10}([._+-][a-z0-9]{1,6})?$/), fc.constantFrom("example.com", "mail.example.org", "xn--bcher-kva.example"))
  .map(([local, domain]) => `${local}@${domain}`);
/** Realistic values by field name, for what the schemas only call "a string". */
const hints: [RegExp, fc.Arbitrary<string>][] = [
  [/e?mail/i, email],
  [/mobile|phone/i, fc.oneof(mobile, mobile.map((m) => `+91${m}`))],
  [/country_code/i, fc.constantFrom("91", "+91", "1", "44")],
  [/domain/i, fc.constantFrom("shop.example.com", "localhost:8787")],
  [/origin/i, fc.constantFrom("https://shop.example.com", "http://localhost:8787")],
  // The attribute filter's combinator, documented as a plain string.
  [/^type$/, fc.constantFrom("and", "or", "$AND")],
  [/password/i, fc.stringMatching(/^[A-Za-z0-9]{4,12}$/).map((s) => `Zq9!${s}`)],
  [/date|dob|_at$/i, fc.date({ noInvalidDate: true, min: new Date(0), max: new Date(4_102_444_800_000) }).chain((d) => fc.constantFrom(d.toISOString(), d.toISOString().slice(0, 10)))],
];
const ID_FIELD = /(^|_)ids?$/i;

function lengthOk(schema: Schema) {
  return (s: string) => s.length >= (schema.minLength ?? 0) && s.length <= (schema.maxLength ?? Infinity);
}

/** The field's known and hinted values that the schema allows; preferred over random text, which mostly gets a 400. */
function namedValues(schema: Schema, name: string | undefined, ctx: ShapeContext, plain: fc.Arbitrary<string>): fc.Arbitrary<string>[] {
  if (!name) return [];
  const pattern = schema.pattern ? new RegExp(schema.pattern) : undefined;
  const fits = (s: string) => lengthOk(schema)(s) && (!pattern || pattern.test(s));
  const known = ctx.known[name] ?? (ID_FIELD.test(name) ? ctx.ids : undefined);
  const named = [...(known ? [known] : []), ...hints.filter(([re]) => re.test(name)).map(([, arb]) => arb)];
  // A value that does not fit falls back to a plain one: filtering a small pool could loop forever.
  return named.map((arb) => arb.chain((v) => (fits(v) ? fc.constant(v) : plain)));
}

function stringArb(schema: Schema, name: string | undefined, ctx: ShapeContext): fc.Arbitrary<string> {
  const fits = lengthOk(schema);
  let base: fc.Arbitrary<string>;
  if (schema.pattern) {
    base = fc.stringMatching(new RegExp(schema.pattern)).filter(fits);
  } else if (schema.format === "uri" || schema.format === "url") {
    base = fc.webUrl().filter(fits);
  } else if (schema.format === "email") {
    base = email.filter(fits);
  } else if (schema.format === "date-time") {
    base = fc.date({ noInvalidDate: true, min: new Date(0), max: new Date(4_102_444_800_000) }).map((d) => d.toISOString());
  } else {
    const minLength = schema.minLength ?? 0;
    base = fc.string({ minLength, maxLength: Math.max(minLength, Math.min(schema.maxLength ?? MAX_FREE_STRING, MAX_FREE_STRING)) });
  }
  const named = namedValues(schema, name, ctx, base);
  return named.length ? fc.oneof({ weight: 1, arbitrary: base }, ...named.map((arbitrary) => ({ weight: 3, arbitrary }))) : base;
}

function numberArb(schema: Schema, integer: boolean): fc.Arbitrary<number> {
  const exclusiveMin = typeof schema.exclusiveMinimum === "number" ? schema.exclusiveMinimum : undefined;
  const exclusiveMax = typeof schema.exclusiveMaximum === "number" ? schema.exclusiveMaximum : undefined;
  const min = schema.minimum ?? (exclusiveMin === undefined ? undefined : exclusiveMin + (integer ? 1 : Number.EPSILON));
  const max = schema.maximum ?? (exclusiveMax === undefined ? undefined : exclusiveMax - (integer ? 1 : Number.EPSILON));
  if (integer) {
    return fc.integer({ min: Math.max(min ?? -1e6, Number.MIN_SAFE_INTEGER), max: Math.min(max ?? 1e6, Number.MAX_SAFE_INTEGER) });
  }
  return fc.double({ min: min ?? -1e6, max: max ?? 1e6, noNaN: true, noDefaultInfinity: true });
}

function objectArb(schema: Schema, ctx: ShapeContext, depth: number): fc.Arbitrary<Record<string, unknown>> {
  const properties = schema.properties ?? {};
  const model = Object.fromEntries(Object.entries(properties).map(([key, sub]) => [key, shapeOf(sub, ctx, key, depth + 1)]));
  const required = (schema.required ?? []).filter((key) => key in properties);
  const declared = fc.record(model, { requiredKeys: required });
  const extra = schema.additionalProperties;
  if (!extra || Object.keys(properties).length) return declared;
  const values = extra === true ? fc.jsonValue({ maxDepth: 2 }) : shapeOf(extra, ctx, undefined, depth + 1);
  return fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), values, { maxKeys: MAX_ITEMS });
}

/** An arbitrary of values the schema accepts (as far as JSON Schema can say). */
export function shapeOf(raw: Schema, ctx: ShapeContext, name?: string, depth = 0): fc.Arbitrary<unknown> {
  const schema = resolve(ctx.doc, raw);
  const nullable = schema.nullable === true;
  const arb = nonNullShape(schema, ctx, name, depth);
  return nullable ? fc.oneof(arb, fc.constant(null)) : arb;
}

function nonNullShape(schema: Schema, ctx: ShapeContext, name: string | undefined, depth: number): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return fc.oneof(...alternatives.map((s) => shapeOf(s, ctx, name, depth)));
  if (schema.allOf) {
    return fc
      .tuple(...schema.allOf.map((s) => shapeOf(s, ctx, name, depth)))
      .map((parts) => Object.assign({}, ...parts.filter((p) => typeof p === "object" && p !== null)) as unknown);
  }
  if (Array.isArray(schema.type)) {
    return fc.oneof(...schema.type.map((type) => shapeOf({ ...schema, type }, ctx, name, depth)));
  }
  switch (schema.type) {
    case "null":
      return fc.constant(null);
    case "string":
      return stringArb(schema, name, ctx);
    case "integer": {
      // A hinted numeric field (a calling code sent as a number) gets its realistic values too.
      const plain = numberArb(schema, true);
      const fits = (n: number) => Number.isInteger(n) && n >= (schema.minimum ?? -Infinity) && n <= (schema.maximum ?? Infinity);
      const named = namedValues({}, name, ctx, fc.constant("")).map((arb) => arb.chain((v) => (fits(Number(v)) ? fc.constant(Number(v)) : plain)));
      return named.length ? fc.oneof(plain, ...named) : plain;
    }
    case "number":
      return numberArb(schema, false);
    case "boolean":
      return fc.boolean();
    case "array": {
      const minLength = schema.minItems ?? 0;
      const maxLength = Math.max(minLength, Math.min(schema.maxItems ?? MAX_ITEMS, MAX_ITEMS));
      return fc.array(shapeOf(schema.items ?? {}, ctx, name, depth + 1), { minLength, maxLength });
    }
    case "object":
      return objectArb(schema, ctx, depth);
    default:
      // `{}`: anything JSON.
      return schema.properties ? objectArb(schema, ctx, depth) : fc.jsonValue({ maxDepth: depth > 3 ? 0 : 2 });
  }
}
