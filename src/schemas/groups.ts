import { z } from "@hono/zod-openapi";
import { FILTER_OPERATORS, MAX_CONDITIONS } from "./attribute-vocabulary";
import { PageQuery, paged } from "./pagination";
import { UserSearchSchema } from "./user";

const ConditionsSchema = z
  .object({
    user_attribute_definition_id: z.string().min(1).max(64),
    type: z.enum(FILTER_OPERATORS),
    value: z.unknown().openapi({ description: "A value, a list (in, nin), or two values (btw); as the SDK sends it, a string (a list or pair as its JSON text)" }),
    ignore_year: z.boolean().optional(),
  })
  .openapi("ConditionsSchema");

const groupFields = {
  name: z.string().trim().min(1).max(100),
  description: z.string().max(1000),
  type: z.enum(["bulk", "conditional"]),
  file_url: z.string().max(2048).openapi({ description: "bulk: a CSV of members (user_id, email or phone_number column, action add|remove)" }),
  conditions: z.array(ConditionsSchema).max(MAX_CONDITIONS).openapi({ description: "conditional: all must hold (and)" }),
};

export const CreateUserGroup = z
  .object({
    name: groupFields.name,
    description: groupFields.description,
    type: groupFields.type.default("bulk"),
    file_url: groupFields.file_url.optional(),
    conditions: groupFields.conditions.optional(),
  })
  .openapi("CreateUserGroup");
export type CreateUserGroup = z.infer<typeof CreateUserGroup>;

export const UpdateUserGroupSchema = z.object(groupFields).partial().openapi("UpdateUserGroupSchema");
export type UpdateUserGroupSchema = z.infer<typeof UpdateUserGroupSchema>;

const UserData = z
  .object({
    action: z.enum(["add", "remove"]),
    user_id: z.string().max(64).optional(),
    email: z.string().max(254).optional(),
    phone_number: z.string().max(32).optional(),
  })
  .openapi("UserGroupUserData");
export type UserData = z.infer<typeof UserData>;

export const PartialUserGroupUpdateSchema = z
  .object({
    type: z.enum(["file_url", "json"]).default("file_url"),
    name: groupFields.name.optional(),
    description: groupFields.description.optional(),
    file_url: groupFields.file_url.optional(),
    user_data: z.array(UserData).max(1000).optional(),
  })
  .openapi("PartialUserGroupUpdateSchema");
export type PartialUserGroupUpdateSchema = z.infer<typeof PartialUserGroupUpdateSchema>;

export const UserGroupResponseSchema = z
  .object({
    _id: z.string(),
    uid: z.number().int(),
    name: z.string(),
    description: z.string(),
    type: z.string(),
    status: z.string(),
    is_active: z.boolean(),
    file_url: z.string(),
    conditions: z.array(
      z.object({
        user_attribute_definition_id: z.string(),
        type: z.string(),
        value: z.string().openapi({ description: "The condition's value as text (the SDK's Conditions shape): a list or a pair as JSON" }),
        ignore_year: z.boolean().optional(),
        key: z.string().openapi({ description: "The attribute's slug" }),
      }),
    ),
    error: z.object({ count: z.number().int(), file_url: z.string() }),
    application_id: z.string(),
    created_at: z.string(),
    modified_at: z.string(),
    __v: z.number().int(),
  })
  .openapi("UserGroupResponseSchema");
export type UserGroupResponseSchema = z.infer<typeof UserGroupResponseSchema>;

export const UserGroupListQuery = PageQuery.extend({
  name: z.string().max(100).optional().openapi({ description: "Name contains (case-insensitive)" }),
  type: z.enum(["bulk", "conditional"]).optional(),
  status: z.string().max(50).optional(),
  group_uid: z.coerce.number().int().min(1).optional(),
});

export const UserGroupListResponseSchema = paged(UserGroupResponseSchema).openapi("UserGroupListResponseSchema");

export const DeleteUserGroupSuccess = z.object({ id: z.string(), success: z.boolean() }).openapi("DeleteUserGroupSuccess");

export const UserGroupMembers = paged(UserSearchSchema).openapi("UserGroupMembers");
