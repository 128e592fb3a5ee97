import fc from "fast-check";

/** Path traversal, NUL bytes, SQL and template metacharacters, header splitting. */
export const INJECTIONS = [
  "../",
  "../../../../etc/passwd",
  "..%2f..%2f",
  "%2e%2e%2f",
  "%00",
  "\u0000",
  "a\u0000b",
  "' OR 1=1 --",
  '"; drop table users; --',
  "'; delete from users where '1'='1",
  "1) or (1=1",
  "x' union select name, sql from sqlite_master --",
  "%' or '%'='",
  "%",
  "_",
  "*",
  "\\",
  '"',
  "'",
  "`",
  "NEAR(a b)",
  '"a" OR "b"',
  "a* OR b*",
  "${7*7}",
  "{{7*7}}",
  "<script>alert(1)</script>",
  "\r\nSet-Cookie: f.session=evil",
  "a;b=c",
  "null",
  "undefined",
  "NaN",
  "true",
  "[]",
  "{}",
  "__proto__",
  "constructor",
  "$where",
];

/** Lone surrogates, bidi overrides, zero-width and combining characters, case-folding traps. */
export const UNICODE = [
  "\uD800",
  "\uDFFF",
  "a\uD83Db",
  "\u202Eevil.com\u202C",
  "\u200F\u05E9\u05DC\u05D5\u05DD",
  "مرحبا",
  "\u200B",
  "\uFEFF",
  "😀",
  "👨‍👩‍👧‍👦",
  "e\u0301",
  "İı",
  "ß",
  "\uFFFF",
  "\u0085",
  "\u2028\u2029",
  "Ａｄｍｉｎ@ｅｘａｍｐｌｅ.ｃｏｍ",
];

const stringPayload = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...INJECTIONS) },
  { weight: 3, arbitrary: fc.constantFrom(...UNICODE) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 30 }) },
  // Past every field's maxLength, and (the last) past the 64 KB body limit.
  { weight: 1, arbitrary: fc.constantFrom(300, 5_000, 70_000).map((n) => "A".repeat(n)) },
);

/** Strings that should be refused or handled as plain data: never executed, never a 5xx. */
export const badString = stringPayload;

/** A JSON object whose key is literally `__proto__` (JSON.parse makes it an own property). */
const pollution = fc.constantFrom(
  JSON.parse('{"__proto__": {"polluted": "yes"}}') as unknown,
  JSON.parse('{"constructor": {"prototype": {"polluted": "yes"}}}') as unknown,
);

/** Values of every JSON type, for "wrong type" and "null" mutations. */
export const badValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom<unknown>(null, 0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 1, true, false, "", [], {}, [null], { a: 1 }) },
  { weight: 3, arbitrary: stringPayload },
  { weight: 1, arbitrary: pollution },
  { weight: 1, arbitrary: fc.constantFrom(1_000, 20_000).map((n) => Array.from({ length: n }, (_, i) => `item-${i}`)) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

/** Bodies that are not JSON, or JSON at its edges. */
export const badJson = fc.constantFrom(
  "",
  " ",
  "{",
  "}",
  "[",
  '{"a":',
  "{'a': 1}",
  '{"a": 1,}',
  "NaN",
  "undefined",
  '{"a": 1} trailing',
  "\uFEFF{}",
  "[".repeat(10_000) + "]".repeat(10_000),
  '{"a":'.repeat(2_000) + "1" + "}".repeat(2_000),
  '{"a": 1, "a": 2}',
  "1e999",
  "-",
  '"unterminated',
  '{"x": "\\uD800"}',
  "\u0000",
  "null",
  "true",
  "[]",
  "<xml/>",
  "a=1&b=2",
);

export const badContentType = fc.constantFrom<string | null>(
  null,
  "text/plain",
  "application/xml",
  "multipart/form-data; boundary=x",
  "application/x-www-form-urlencoded",
  "application/json; charset=utf-16",
  "application/jsonx",
  "APPLICATION/JSON",
  "application/json, text/plain",
  "application/*",
  "",
);

/** Raw query segments: bad percent-encoding, bracket keys, empty keys. */
export const badQuerySegment = fc.constantFrom(
  "%",
  "%zz",
  "q=%E0%A4",
  "a=%00",
  "q[]=1",
  "q[a]=1",
  "&&&",
  "=",
  "==x",
  "id",
  "page_no=-1",
  "page_size=1e9",
  "page_no=NaN",
  `q=${"A".repeat(5_000)}`,
  "__proto__[polluted]=yes",
);

/** `{own}` stands for the caller's own valid credential/cookie value, filled in when the request is built. */
export const OWN = "{own}";

export const garbageAuthorization = fc.constantFrom(
  "Bearer",
  "Bearer ",
  "Bearer x",
  "Basic",
  "Basic !!!",
  `Bearer ${btoa(":")}`,
  `Bearer ${btoa("only-an-id")}`,
  `Bearer ${btoa(`${"a".repeat(100)}:x`)}`,
  `Bearer ${"a".repeat(10_000)}`,
  "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.",
  "Bearer a.b.c",
  "Digest username=x",
  `${OWN}x`,
  `${OWN} ${OWN}`,
  `Bearer \u00e9\u00e9`,
);

export const garbageCookie = fc.constantFrom(
  "f.session=",
  "f.session=%",
  "f.session=%E0%A4",
  "f.session=garbage",
  `f.session=${OWN}x`,
  `f.session=x${OWN}`,
  `f.session=${OWN}.extra`,
  `f.session=${OWN}; f.session=evil`,
  `f.session=evil; f.session=${OWN}`,
  `f.session="${OWN}"`,
  "f.session=000000000000000000000000.000000000000000000000000.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
  `f.session=${"a".repeat(5_000)}`,
  "=; ;;; f.session",
);
