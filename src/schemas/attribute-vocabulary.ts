/** The words of the attribute API, shared by its request schemas and the attribute rules. */

/** The value types an attribute definition can have. `select` is a synonym of `enum`. */
export const ATTRIBUTE_TYPES = ["string", "number", "boolean", "date", "datetime", "email", "url", "phone", "enum", "select", "json"] as const;
export type AttributeType = (typeof ATTRIBUTE_TYPES)[number];

export const FILTER_OPERATORS = ["eq", "ne", "gt", "lt", "gte", "lte", "cnt", "nct", "is", "nis", "sw", "ew", "btw", "in", "nin"] as const;
export type FilterOperator = (typeof FILTER_OPERATORS)[number];

/** Conditions in one filter. */
export const MAX_CONDITIONS = 20;
