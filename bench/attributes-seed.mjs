// Seed statements for the attribute filter bench: N customers of the demo application (scripts/seed-demo.sql),
// each with an email and values for 10 attributes, written straight into the tables with recursive
// CTEs (fast, deterministic: value = f(customer number)). Seeded by bench/seed.mjs; the filters are
// loaded by bench/run.mjs and bench/attributes-filter.mjs.

export const APP = "000000000000000000000001";

/** The 10 definitions: [id, slug, type, multi]. */
export const DEFINITIONS = [
  ["bench0000000000000000d001", "age", "number", false],
  ["bench0000000000000000d002", "score", "number", false],
  ["bench0000000000000000d003", "points", "number", false],
  ["bench0000000000000000d004", "city", "string", false],
  ["bench0000000000000000d005", "tier", "enum", false],
  ["bench0000000000000000d006", "vip", "boolean", false],
  ["bench0000000000000000d007", "birthday", "date", false],
  ["bench0000000000000000d008", "signup", "datetime", false],
  ["bench0000000000000000d009", "tags", "string", true],
  ["bench0000000000000000d010", "nickname", "string", false],
];

export const defId = (slug) => DEFINITIONS.find((d) => d[1] === slug)[0];

const NOW = "2026-01-01T00:00:00.000Z";
const seq = (n) => `with recursive n(i) as (select 1 union all select i + 1 from n where i < ${n})`;

/** [slug, SQL expression of the element(s) for customer i]: text or number per type. */
const element = {
  age: "(i * 7919) % 80 + 18",
  score: "(i * 104729) % 1000",
  points: "(i * 31337) % 5000",
  city: "'city' || ((i * 17) % 50)",
  tier: "case (i * 13) % 4 when 0 then 'gold' when 1 then 'silver' when 2 then 'bronze' else 'none' end",
  vip: "case when (i * 3) % 10 = 0 then 1 else 0 end",
  birthday: "date('1960-01-01', '+' || ((i * 7) % 15000) || ' days')",
  signup: "strftime('%Y-%m-%dT%H:%M:%fZ', '2020-01-01', '+' || i || ' minutes')",
  nickname: "'nick' || i",
};

const keyOf = (id) => DEFINITIONS.findIndex((d) => d[0] === id) + 1;
const epochMs = (expr) => `cast(round((julianday(${expr}) - 2440587.5) * 86400000) as integer)`;

function valueRows(slug, type) {
  const id = defId(slug);
  const e = element[slug];
  const user = "printf('%024x', i)";
  switch (type) {
    case "number":
      return [
        `${seq("N")} insert into user_attributes (id, application_id, user_id, definition_id, value, customer_overridden, updated_by, created_at, updated_at) select printf('%012x%012x', ${DEFINITIONS.findIndex((d) => d[0] === id) + 1}, i), '${APP}', ${user}, '${id}', cast(${e} as text), 0, 'bench', '${NOW}', '${NOW}' from n`,
        `${seq("N")} insert into attribute_values (def_key, subject, value_num) select ${keyOf(id)}, i, ${e} from n`,
      ];
    case "boolean":
      return [
        `${seq("N")} insert into user_attributes (id, application_id, user_id, definition_id, value, customer_overridden, updated_by, created_at, updated_at) select printf('%012x%012x', 6, i), '${APP}', ${user}, '${id}', case when ${e} = 1 then 'true' else 'false' end, 0, 'bench', '${NOW}', '${NOW}' from n`,
        `${seq("N")} insert into attribute_values (def_key, subject, value_num) select ${keyOf(id)}, i, ${e} from n`,
      ];
    case "date":
    case "datetime":
      return [
        `${seq("N")} insert into user_attributes (id, application_id, user_id, definition_id, value, customer_overridden, updated_by, created_at, updated_at) select printf('%012x%012x', ${DEFINITIONS.findIndex((d) => d[0] === id) + 1}, i), '${APP}', ${user}, '${id}', json_quote(${e}), 0, 'bench', '${NOW}', '${NOW}' from n`,
        `${seq("N")} insert into attribute_values (def_key, subject, value_num, month_day) select ${keyOf(id)}, i, ${epochMs(e)}, cast(strftime('%m%d', ${e}) as integer) from n`,
      ];
    default:
      return [
        `${seq("N")} insert into user_attributes (id, application_id, user_id, definition_id, value, customer_overridden, updated_by, created_at, updated_at) select printf('%012x%012x', ${DEFINITIONS.findIndex((d) => d[0] === id) + 1}, i), '${APP}', ${user}, '${id}', json_quote(${e}), 0, 'bench', '${NOW}', '${NOW}' from n`,
        `${seq("N")} insert into attribute_values (def_key, subject, value_text, value_fold) select ${keyOf(id)}, i, ${e}, lower(${e}) from n`,
      ];
  }
}

/**
 * The seed statements for `users` customers × 10 attributes (recursive CTEs, no bound values), in
 * order; bench/seed.mjs runs them straight on the local D1 file.
 */
export function seedStatements(users) {
  const statements = [
    ...DEFINITIONS.map(
      ([id, slug, type, multi]) =>
        `insert into attribute_definitions (id, key, application_id, name, slug, type, masking, registration, is_multi_value, validations, options, created_by, updated_by, created_at, modified_at) values ('${id}', ${keyOf(id)}, '${APP}', '${slug}', '${slug}', '${type}', '{"enabled":false,"type":"default"}', '{"enabled":false,"type":"optional"}', ${multi ? 1 : 0}, ${type === "enum" ? `'[{"type":"options","value":["gold","silver","bronze","none"]}]'` : "'[]'"}, ${type === "enum" ? `'["gold","silver","bronze","none"]'` : "'[]'"}, 'bench', 'bench', '${NOW}', '${NOW}')`,
    ),
    `${seq("N")} insert into users (id, application_id, username, first_name, last_name, meta, created_at, updated_at) select printf('%024x', i), '${APP}', 'bench_' || i, 'First' || i, 'Last' || (i % 977), '{}', strftime('%Y-%m-%dT%H:%M:%fZ', '2024-01-01', '+' || i || ' seconds'), '${NOW}' from n`,
    `${seq("N")} insert into attribute_subjects (seq, user_id, application_id, created_at) select i, printf('%024x', i), '${APP}', strftime('%Y-%m-%dT%H:%M:%fZ', '2024-01-01', '+' || i || ' seconds') from n`,
    `${seq("N")} insert into user_emails (id, user_id, application_id, email, is_primary, verified, active, created_at) select printf('e%023x', i), printf('%024x', i), '${APP}', 'user' || i || '@bench.example', 1, 1, 1, '${NOW}' from n`,
    ...DEFINITIONS.filter(([, slug]) => slug !== "tags").flatMap(([, slug, type]) => valueRows(slug, type)),
    // tags: two elements per customer.
    `${seq("N")} insert into user_attributes (id, application_id, user_id, definition_id, value, customer_overridden, updated_by, created_at, updated_at) select printf('%012x%012x', 9, i), '${APP}', printf('%024x', i), '${defId("tags")}', json_array('tag' || (i % 20), 'tag' || ((i * 7 + 3) % 20)), 0, 'bench', '${NOW}', '${NOW}' from n`,
    `${seq("N")} insert into attribute_values (def_key, subject, value_text, value_fold) select 9, i, 'tag' || (i % 20), 'tag' || (i % 20) from n`,
    `${seq("N")} insert into attribute_values (def_key, subject, value_text, value_fold) select 9, i, 'tag' || ((i * 7 + 3) % 20), 'tag' || ((i * 7 + 3) % 20) from n`,
    // The presence row every non-empty multi-value attribute has (PRESENCE_ENTRY in src/services/attributes/types.ts).
    `${seq("N")} insert into attribute_values (def_key, subject) select 9, i from n`,
  ];
  return statements.map((s) => s.replaceAll("< N)", `< ${users})`));
}

/** The filters the bench times: name → query (UserAttributeFilterQuery). */
export const SCENARIOS = {
  "3 conditions, and (broad ∩ selective ∩ half)": {
    type: "and",
    conditions: [
      { definition_id: defId("age"), type: "gte", value: 30 },
      { definition_id: defId("city"), type: "eq", value: "city7" },
      { definition_id: defId("tier"), type: "in", value: ["gold", "silver"] },
    ],
  },
  "3 conditions, and (all broad)": {
    type: "and",
    conditions: [
      { definition_id: defId("age"), type: "gte", value: 30 },
      { definition_id: defId("score"), type: "lt", value: 500 },
      { definition_id: defId("tags"), type: "ne", value: "tag3" },
    ],
  },
  "3 conditions, or": {
    type: "or",
    conditions: [
      { definition_id: defId("vip"), type: "eq", value: true },
      { definition_id: defId("nickname"), type: "sw", value: "nick4242" },
      { definition_id: defId("birthday"), type: "btw", value: ["12-24", "01-02"], ignore_year: true },
    ],
  },
  "3 conditions, and, with text search (cnt, ew)": {
    type: "and",
    conditions: [
      { definition_id: defId("nickname"), type: "cnt", value: "77" },
      { definition_id: defId("city"), type: "ew", value: "7" },
      { definition_id: defId("signup"), type: "gt", value: "2020-03-01" },
    ],
  },
};

/** One filter request (limit 10, page 1, exact item_total) for bench/lib.mjs: it must find someone. */
export function filterRequest(platformPrefix, query) {
  return {
    path: `${platformPrefix}/user_attribute/users`,
    body: JSON.stringify({ query: { limit: 10, page: 1, ...query } }),
    check: (b) => b.page.item_total > 0 && b.items.length > 0,
  };
}
