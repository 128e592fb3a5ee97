import { z } from "@hono/zod-openapi";
import { ATTRIBUTE_TYPES, FILTER_OPERATORS, MAX_CONDITIONS } from "./attribute-vocabulary";
import { MAX_PAGE_SIZE, PageQuery, paged, queryBoolean } from "./pagination";
import { UserSearchSchema } from "./user";

const MAX_DEFINITION_IDS = 50;

const id = z.string().min(1).max(64);

/** CreateUserAttributeDefinition (§3.7): the create and update body. */
export const DefinitionBody = z
  .object({
    name: z.string().trim().min(1).max(100),
    slug: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, "must be 1-64 letters, digits, '_' or '-', starting with a letter or digit"),
    description: z.string().max(1000),
    type: z.enum(ATTRIBUTE_TYPES),
    icon: z.string().max(2048),
    ordering_channels: z.array(z.string().min(1).max(100)).max(50),
    masking: z.object({ enabled: z.boolean().default(false), type: z.string().max(50).default("default") }),
    registration: z.object({ enabled: z.boolean().default(false), type: z.enum(["mandatory", "optional"]).default("optional") }),
    is_multi_value: z.boolean(),
    customer_editable: z.boolean(),
    encrypted: z.boolean().openapi({ description: "Values are stored AES-GCM encrypted and can never be searched" }),
    pinned: z.boolean(),
    pin_order: z.number().int().min(0).max(100_000),
    is_locked: z.boolean().openapi({ description: "A locked definition cannot be changed or deleted until unlocked" }),
    default_value: z.string().max(1000).nullable(),
    validations: z
      .array(z.object({ type: z.string().min(1).max(50), value: z.unknown() }))
      .max(20)
      .openapi({ description: "min, max, min_length, max_length, length, regex, options" }),
    options: z.array(z.string().min(1).max(200)).max(200).openapi({ description: "Allowed values (required for enum/select)" }),
  })
  .partial()
  .openapi("CreateUserAttributeDefinition");
export type DefinitionBody = z.infer<typeof DefinitionBody>;

/** Create needs the identity of the attribute; updates may send any part. */
export const CreateDefinitionBody = DefinitionBody.required({ name: true, slug: true, type: true });

const definitionFields = {
  name: z.string(),
  slug: z.string(),
  description: z.string(),
  application_id: z.string(),
  type: z.string(),
  icon: z.string(),
  ordering_channels: z.array(z.string()),
  masking: z.object({ enabled: z.boolean(), type: z.string() }),
  registration: z.object({ enabled: z.boolean(), type: z.string() }),
  is_multi_value: z.boolean(),
  customer_editable: z.boolean(),
  encrypted: z.boolean(),
  pinned: z.boolean(),
  pin_order: z.number().int(),
  validations: z.array(z.object({ type: z.string(), value: z.unknown() })),
  is_locked: z.boolean(),
  default_value: z.string().nullable(),
  created_at: z.string(),
  modified_at: z.string(),
};

/** UserAttributeDefinition (§3.7), a superset of UserAttributeDefinitionDetails. */
export const PlatformDefinition = z
  .object({ _id: z.string(), ...definitionFields, options: z.array(z.string()), created_by: z.string(), updated_by: z.string(), __v: z.number().int() })
  .openapi("UserAttributeDefinition");
export type PlatformDefinition = z.infer<typeof PlatformDefinition>;

/** UserAttributesDefinition (§3.8): keyed `id`. Options travel in `validations`. */
export const StorefrontDefinition = z.object({ id: z.string(), ...definitionFields }).openapi("UserAttributesDefinition");
export type StorefrontDefinition = z.infer<typeof StorefrontDefinition>;

/** Query of both definition lists (§2.7, §4.5). */
export const DefinitionListQuery = PageQuery.extend({
  excluding_ids: z.string().max(2000).optional().openapi({ description: "Comma-separated definition ids to leave out" }),
  slug: z.string().max(64).optional(),
  type: z.string().max(20).optional(),
  name: z.string().max(200).optional().openapi({ description: "Case-insensitive substring of the name (taken literally: not a regular expression)" }),
  customer_editable: queryBoolean.optional(),
  encrypted: queryBoolean.optional(),
  pinned: queryBoolean.optional(),
  pin_order: z.coerce.number().int().optional(),
  is_locked: queryBoolean.optional(),
  registration_enabled: queryBoolean.optional(),
  registration_type: z.union([z.enum(["mandatory", "optional"]), z.array(z.enum(["mandatory", "optional"])).max(2)]).optional(),
});
export type DefinitionListQuery = z.infer<typeof DefinitionListQuery>;

export const PlatformDefinitionList = paged(PlatformDefinition).openapi("UserAttributeDefinitionList");
export const StorefrontDefinitionList = paged(StorefrontDefinition).openapi("UserAttributesDefinitionList");

export const SuccessMessage = z.object({ success: z.string() }).openapi("SuccessMessage");

/** UserAttribute (§3.9): one value; `attribute.value` holds it (a list for multi-value attributes). */
export const UserAttribute = z
  .object({
    _id: z.string(),
    name: z.string(),
    user_id: z.string(),
    application_id: z.string(),
    user_attribute_definition_id: z.string(),
    type: z.string(),
    customer_overridden: z.boolean(),
    attribute: z.object({ value: z.unknown() }),
    updated_by: z.string(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi("UserAttribute");
export type UserAttribute = z.infer<typeof UserAttribute>;

export const CreateUserAttribute = z
  .object({
    customer_overridden: z.boolean().optional(),
    attribute: z.object({ value: z.unknown().refine((v) => v !== undefined && v !== null, "is required (use DELETE to remove a value)") }),
  })
  .openapi("CreateUserAttribute");

export const CreateBulkUserAttribute = z
  .object({
    attributes: z.array(z.object({ definition_id: id, value: z.unknown().refine((v) => v !== undefined && v !== null, "is required") })).min(1).max(100),
  })
  .openapi("CreateBulkUserAttribute");

export const BulkUserAttribute = z.object({ success: z.boolean(), attributes: z.array(UserAttribute) }).openapi("BulkUserAttribute");

export const DeleteBulkUserAttribute = z.object({ definition_ids: z.array(id).min(1).max(200) }).openapi("DeleteBulkUserAttribute");

export const UserAttributeList = paged(UserAttribute).openapi("UserAttributeDefinitionsResponseSchema");

/** Storefront UserAttributes: slug → value. */
export const UserAttributes = z.object({ attributes: z.record(z.string(), z.unknown()) }).openapi("UserAttributes");
export const UpdateUserAttributes = z
  .object({ attributes: z.record(z.string().max(64), z.unknown()).refine((a) => Object.keys(a).length <= 100, "at most 100 attributes at once") })
  .openapi("UpdateUserAttributes");

const conditionValue = z.unknown().openapi({ description: "A value, a list (in, nin), or two values (btw: [from, to])" });

export const UserAttributeFilterQuery = z
  .object({
    type: z
      .string()
      .transform((t) => t.trim().toLowerCase().replace(/^\$/, ""))
      .pipe(z.enum(["and", "or"]))
      .openapi({ description: "How conditions combine: and | or" }),
    limit: z.number().int().min(1).max(MAX_PAGE_SIZE),
    page: z.number().int().min(1).max(1_000_000),
    conditions: z
      .array(
        z.object({
          definition_id: id,
          type: z.enum(FILTER_OPERATORS),
          value: conditionValue,
          ignore_year: z.boolean().optional().openapi({ description: "Dates: compare month and day only" }),
        }),
      )
      .max(MAX_CONDITIONS),
    email: z.string().max(254).optional().openapi({ description: "Exact email" }),
    phone: z.string().max(32).optional().openapi({ description: "Exact phone: international (+91…) or national with country_code" }),
    country_code: z.string().max(5).optional(),
    has_email: z.boolean().optional(),
    has_phone: z.boolean().optional(),
    definition_ids: z.array(id).max(MAX_DEFINITION_IDS).optional().openapi({ description: "Attributes to return per user (default: those in the conditions)" }),
  })
  .openapi("UserAttributeFilterQuery");
export type UserAttributeFilterQuery = z.infer<typeof UserAttributeFilterQuery>;

export const UserAttributeFilter = z.object({ query: UserAttributeFilterQuery }).openapi("UserAttributeFilter");

const UserPhoneNumbers = z
  .object({ phone: z.string(), country_code: z.string(), active: z.boolean(), primary: z.boolean(), verified: z.boolean() })
  .openapi("UserPhoneNumbers");

/** UserAttributeFilteredList: the user (UserSearchSchema fields, phones with string country codes) and its requested values. */
export const UserAttributeFilteredItem = UserSearchSchema.extend({
  phone_numbers: z.array(UserPhoneNumbers),
  has_old_password_hash: z.boolean(),
  is_encrypted: z.boolean(),
  attributes: z.array(UserAttribute),
}).openapi("UserAttributeFilteredList");
export type UserAttributeFilteredItem = z.infer<typeof UserAttributeFilteredItem>;

export const UserAttributeFiltered = paged(UserAttributeFilteredItem).openapi("UserAttributeFiltered");
