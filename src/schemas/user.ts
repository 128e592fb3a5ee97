import { z } from "@hono/zod-openapi";

export const PhoneNumber = z
  .object({
    phone: z.string(),
    country_code: z.number().int().openapi({ description: "A number here, a string in requests (SDK contract)" }),
    active: z.boolean(),
    primary: z.boolean(),
    verified: z.boolean(),
  })
  .openapi("PhoneNumber");

export const Email = z
  .object({ email: z.string(), active: z.boolean(), primary: z.boolean(), verified: z.boolean() })
  .openapi("Email");

/** Fields without a value (gender, dob, external_id, rr_id, consent, deleted_on) are absent, never null. */
export const UserSchema = z
  .object({
    _id: z.string(),
    user_id: z.string(),
    application_id: z.string(),
    first_name: z.string(),
    last_name: z.string(),
    gender: z.string().optional(),
    dob: z.string().optional(),
    phone_numbers: z.array(PhoneNumber),
    emails: z.array(Email),
    account_type: z.string(),
    active: z.boolean(),
    profile_pic_url: z.string(),
    username: z.string(),
    meta: z.record(z.string(), z.unknown()),
    external_id: z.string().optional(),
    rr_id: z.string().optional(),
    consent: z.object({ privacy_policy: z.object({ value: z.boolean(), updated_at: z.string() }).optional() }).optional(),
    has_password: z.boolean().openapi({ description: "Extension: whether the user can log in with a password" }),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi("UserSchema");
export type UserSchema = z.infer<typeof UserSchema>;

/** Platform lists and search add the archive/status fields (§3.2). */
export const UserSearchSchema = UserSchema.extend({
  archive: z.boolean(),
  status: z.string(),
  deleted_on: z.string().optional(),
}).openapi("UserSearchSchema");
export type UserSearchSchema = z.infer<typeof UserSearchSchema>;
