// A small JSON Schema checker for the subset the API's OpenAPI document uses (the zod schemas as JSON Schema):
// type, enum, anyOf, properties/required/additionalProperties, items/maxItems/minItems, min/max, lengths,
// pattern, format uri. The API validates again; this only tells the seller early, next to the field.

export function resolve(schema, doc) {
  let s = schema;
  while (s?.$ref) s = s.$ref.replace(/^#\//, "").split("/").reduce((node, key) => node?.[key], doc);
  return s ?? {};
}

const typeOf = (v) => (v === null ? "null" : Array.isArray(v) ? "array" : Number.isInteger(v) ? "integer" : typeof v);

function typeMatches(type, value) {
  const actual = typeOf(value);
  if (type === "number") return actual === "number" || actual === "integer";
  return type === actual;
}

/** Problems of `value` against `schema`: [{field: "a.b.0", message}], empty when valid. */
export function check(schema, value, doc, path = []) {
  const s = resolve(schema, doc);
  const field = path.join(".") || "(body)";
  const problem = (message) => [{ field, message }];
  if (s.anyOf) {
    const results = s.anyOf.map((alt) => check(alt, value, doc, path));
    if (results.some((r) => r.length === 0)) return [];
    return results.sort((a, b) => a.length - b.length)[0];
  }
  if (s.type && !typeMatches(s.type, value)) return problem(`must be ${s.type === "integer" ? "a whole number" : `a ${s.type}`}`);
  if (s.enum && !s.enum.includes(value)) return problem(`must be one of ${s.enum.map((e) => JSON.stringify(e)).join(", ")}`);
  const issues = [];
  if (typeof value === "number") {
    if (s.minimum !== undefined && value < s.minimum) issues.push({ field, message: `must be at least ${s.minimum}` });
    if (s.maximum !== undefined && value > s.maximum) issues.push({ field, message: `must be at most ${s.maximum}` });
  }
  if (typeof value === "string") {
    if (s.minLength !== undefined && value.length < s.minLength) issues.push({ field, message: s.minLength === 1 ? "is required" : `must be at least ${s.minLength} characters` });
    if (s.maxLength !== undefined && value.length > s.maxLength) issues.push({ field, message: `must be at most ${s.maxLength} characters` });
    if (s.pattern && !new RegExp(s.pattern, "u").test(value)) issues.push({ field, message: `does not match ${s.pattern}` });
    if (s.format === "uri" && !URL.canParse(value)) issues.push({ field, message: "must be a URL" });
  }
  if (Array.isArray(value)) {
    if (s.maxItems !== undefined && value.length > s.maxItems) issues.push({ field, message: `at most ${s.maxItems} items` });
    if (s.minItems !== undefined && value.length < s.minItems) issues.push({ field, message: `at least ${s.minItems} items` });
    if (s.items) value.forEach((item, i) => issues.push(...check(s.items, item, doc, [...path, i])));
  }
  if (typeOf(value) === "object") {
    for (const key of s.required ?? []) if (value[key] === undefined) issues.push({ field: [...path, key].join("."), message: "is required" });
    for (const [key, item] of Object.entries(value)) {
      const sub = s.properties?.[key] ?? (typeof s.additionalProperties === "object" ? s.additionalProperties : undefined);
      if (sub) issues.push(...check(sub, item, doc, [...path, key]));
      else if (s.additionalProperties === false) issues.push({ field: [...path, key].join("."), message: "is not allowed" });
    }
  }
  return issues;
}
