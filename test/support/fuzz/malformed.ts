import fc from "fast-check";
import type { Operation } from "./openapi";
import { badContentType, badJson, badQuerySegment, badString, badValue } from "./payloads";
import type { Draft } from "./requests";

type JsonPath = (string | number)[];

/** Every node of a JSON value, root first, as paths. */
function paths(value: unknown, prefix: JsonPath = []): JsonPath[] {
  const here = [prefix];
  if (Array.isArray(value)) return here.concat(value.flatMap((v, i) => paths(v, [...prefix, i])));
  if (value && typeof value === "object") return here.concat(Object.entries(value).flatMap(([k, v]) => paths(v, [...prefix, k])));
  return here;
}

const clone = <T>(value: T): T => (value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T));

// defineProperty, not assignment: a key named `__proto__` must become a real key of the JSON.
function put(target: object, key: string | number, value: unknown) {
  Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true });
}

function at(root: unknown, path: JsonPath): unknown {
  return path.reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], root);
}

/** The body with the node at `path` replaced (`undefined`: removed). */
function edit(body: unknown, path: JsonPath, value: unknown): unknown {
  if (!path.length) return value;
  const copy = clone(body);
  const parent = at(copy, path.slice(0, -1)) as Record<string | number, unknown> | unknown[];
  const key = path[path.length - 1]!;
  if (value !== undefined) put(parent, key, value);
  else if (Array.isArray(parent)) parent.splice(Number(key), 1);
  else delete parent[key];
  return copy;
}

type Mutate = (draft: Draft, op: Operation) => Draft;
interface Mutation {
  name: string;
  apply: Mutate;
}

const jsonBodyOf = (draft: Draft): unknown => (draft.body && "json" in draft.body ? draft.body.json : {});
const pick = <T>(items: T[], index: number): T | undefined => items[index % Math.max(1, items.length)];
const show = (value: unknown) => {
  const text = typeof value === "string" ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 60)}…(${text.length})` : text;
};

/** Replaces a node anywhere in the JSON body: wrong type, null, bad strings, huge arrays, `__proto__` objects. */
const setNode = fc.tuple(fc.nat(), badValue).map(([index, value]): Mutation => ({
  name: `set node #${index} = ${show(value)}`,
  apply: (draft) => {
    const body = jsonBodyOf(draft);
    const path = pick(paths(body), index)!;
    return { ...draft, body: { json: edit(body, path, value) } };
  },
}));

/** Removes a node (a required field, an array item). */
const dropNode = fc.nat().map((index): Mutation => ({
  name: `drop node #${index}`,
  apply: (draft) => {
    const body = jsonBodyOf(draft);
    const path = pick(paths(body).slice(1), index);
    return path ? { ...draft, body: { json: edit(body, path, undefined) } } : draft;
  },
}));

/** Adds an unknown key to some object of the body. */
const addKey = fc
  .tuple(fc.nat(), fc.constantFrom("__proto__", "constructor", "prototype", "toString", "$where", "", "extra_field", "a".repeat(1_000)), badValue)
  .map(([index, key, value]): Mutation => ({
    name: `add key ${show(key)} = ${show(value)} at object #${index}`,
    apply: (draft) => {
      const body = clone(jsonBodyOf(draft));
      const objects = paths(body).filter((p) => {
        const node = at(body, p);
        return node !== null && typeof node === "object" && !Array.isArray(node);
      });
      const path = pick(objects, index);
      if (!path) return draft;
      put(at(body, path) as object, key, value);
      return { ...draft, body: { json: body } };
    },
  }));

const rawBody = badJson.map((raw): Mutation => ({ name: `raw body ${show(raw)}`, apply: (draft) => ({ ...draft, body: { raw } }) }));

const contentType = badContentType.map((type): Mutation => ({
  name: `content-type ${show(type)}`,
  apply: (draft) => ({ ...draft, contentType: type }),
}));

/** Any path parameter (tenant ids included) replaced, percent-encoded or raw. */
const pathParam = fc.tuple(fc.nat(), badString, fc.boolean()).map(([index, value, raw]): Mutation => ({
  name: `path param #${index} = ${show(value)}${raw ? " (raw)" : ""}`,
  apply: (draft) => {
    const name = pick(Object.keys(draft.params), index);
    return name ? { ...draft, params: { ...draft.params, [name]: { value, raw } } } : draft;
  },
}));

const queryValue = fc.tuple(fc.nat(), badString).map(([index, value]): Mutation => ({
  name: `query param #${index} = ${show(value)}`,
  apply: (draft, op) => {
    const names = op.parameters.filter((p) => p.in === "query").map((p) => p.name);
    const name = pick(names, index) ?? "extra";
    return { ...draft, query: [...draft.query.filter(([k]) => k !== name), [name, value]] };
  },
}));

const repeatQuery = fc.nat().map((index): Mutation => ({
  name: `repeat query param #${index}`,
  apply: (draft) => {
    const entry = pick(draft.query, index);
    return entry ? { ...draft, query: [...draft.query, entry, entry] } : draft;
  },
}));

const rawQuery = badQuerySegment.map((segment): Mutation => ({
  name: `raw query ${show(segment)}`,
  apply: (draft) => ({ ...draft, rawQuery: [...draft.rawQuery, segment] }),
}));

/** Mutations that make sense for the operation: body ones only when it takes a body. */
function mutationsFor(op: Operation): fc.Arbitrary<Mutation> {
  const always = [pathParam, queryValue, repeatQuery, rawQuery];
  const body = op.body ? [setNode, setNode, setNode, dropNode, dropNode, addKey, addKey, rawBody, contentType] : [];
  return fc.oneof(...always, ...body);
}

/**
 * Malformed requests: a valid-shaped draft with one to three things broken. Each keeps a readable
 * list of what was changed, so a failure report says what the request was.
 */
export function malformedDraft(op: Operation, valid: fc.Arbitrary<Draft>): fc.Arbitrary<Draft> {
  return fc.tuple(valid, fc.array(mutationsFor(op), { minLength: 1, maxLength: 3 })).map(([draft, mutations]) =>
    mutations.reduce<Draft>((d, m) => ({ ...m.apply(d, op), mutations: [...d.mutations, m.name] }), draft),
  );
}
