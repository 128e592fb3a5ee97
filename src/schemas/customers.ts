import { z } from "@hono/zod-openapi";
import { UserSchema, UserSearchSchema } from "./user";
import { paged, queryBoolean } from "./pagination";

/** Platform request/response shapes of the customer and session admin routes (§4.1, §4.2). */

const userId = z.string().min(1).max(64);
const shortText = (max: number) => z.string().trim().max(max);
const reason = z.string().trim().max(500);

const isoDate = z
  .string()
  .trim()
  .max(40)
  .regex(/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/, "must be an ISO date (YYYY-MM-DD or a date-time)")
  .refine((v) => !Number.isNaN(Date.parse(v)), "is not a real date");

const meta = z
  .record(z.string(), z.unknown())
  .refine((m) => JSON.stringify(m).length <= 8_192, "must be at most 8 KB as JSON");

/** Query booleans are sent as `true`/`false` (§1.1). */


export const CreateUserQuery = z.object({
  verified: queryBoolean.optional().openapi({
    param: { name: "verified", in: "query" },
    type: "boolean",
    description: "Mark the new email/phone verified (default true); `false` leaves them unverified",
  }),
});

export const CreateUserRequest = z
  .object({
    phone_number: z.string().trim().min(1).max(32).optional().openapi({ description: "International (+919876543210) or national with country_code" }),
    country_code: z.string().trim().max(5).optional().openapi({ description: "Extension: calling code for a national phone_number (default 91)" }),
    email: z.string().trim().min(1).max(254).optional(),
    first_name: shortText(100).optional(),
    last_name: shortText(100).optional(),
    gender: shortText(32).optional(),
    username: z.string().trim().min(1).max(100).optional(),
    external_id: shortText(128).optional(),
    rr_id: shortText(128).optional(),
    dob: isoDate.optional(),
    meta: meta.optional(),
  })
  .refine((b) => b.email !== undefined || b.phone_number !== undefined, {
    message: "an email or a phone_number is required",
    path: ["email"],
  })
  .openapi("CreateUserRequestSchema");
export type CreateUserRequest = z.output<typeof CreateUserRequest>;

export const UserResponse = z.object({ user: UserSchema }).openapi("CreateUserResponseSchema");

const contactFlags = {
  active: z.boolean().default(true),
  primary: z.boolean().default(false),
  verified: z.boolean().default(false),
};

export const UserEmails = z.object({ email: z.string().trim().min(1).max(254), ...contactFlags }).openapi("UserEmails");
export const UserPhoneNumbers = z
  .object({
    phone: z.string().trim().min(1).max(32),
    country_code: z.union([z.string().trim().max(5), z.number().int().min(1).max(9999).transform(String)]).openapi({
      type: "string",
      description: "A string in requests (a number is accepted too)",
    }),
    ...contactFlags,
  })
  .openapi("UserPhoneNumbers");
export type UserEmailsInput = z.output<typeof UserEmails>;
export type UserPhoneNumbersInput = z.output<typeof UserPhoneNumbers>;

export const UpdateUserRequest = z
  .object({
    first_name: shortText(100).optional(),
    last_name: shortText(100).optional(),
    dob: isoDate.nullable().optional(),
    gender: shortText(32).nullable().optional(),
    external_id: shortText(128).nullable().optional(),
    rr_id: shortText(128).nullable().optional(),
    meta: meta.optional(),
    emails: z.array(UserEmails).max(20).optional().openapi({ description: "The user's whole email list; replaces the current one" }),
    phone_numbers: z.array(UserPhoneNumbers).max(20).optional().openapi({ description: "The user's whole phone list; replaces the current one" }),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), { message: "nothing to update", path: [] })
  .openapi("UpdateUserRequestSchema");
export type UpdateUserRequest = z.output<typeof UpdateUserRequest>;

export const UserIdParams = z.object({
  user_id: userId.openapi({ param: { name: "user_id", in: "path" }, example: "5e68af49cfa09bf7233022f1" }),
});

export const ArchiveUserRequest = z.object({ user_id: userId }).openapi("ArchiveUserRequestSchema");
export const UnDeleteUserRequest = z
  .object({ user_id: userId, reason: reason.optional(), reason_id: shortText(100).optional() })
  .openapi("UnDeleteUserRequestSchema");
export const BlockUserRequest = z
  .object({
    status: z.boolean().openapi({ description: "The account's new active status: false blocks, true unblocks" }),
    user_id: z
      .array(userId)
      .min(1)
      .max(100)
      .refine((ids) => new Set(ids).size === ids.length, "must not repeat a user id"),
    reason: reason.optional(),
  })
  .openapi("BlockUserRequestSchema");
export type BlockUserRequest = z.output<typeof BlockUserRequest>;

export const SuccessResponse = z.object({ success: z.boolean() }).openapi("ArchiveUserSuccess");

export const TimelineResponse = z
  .object({
    delete_on: z.string().optional().openapi({ description: "When the pending erasure runs; absent when none is pending" }),
    timeline: z.array(
      z.object({ date: z.string(), title: z.string(), type: z.string(), visible: z.boolean(), sub_title: z.string().nullable() }),
    ),
  })
  .openapi("GetUserTimeline");

const searchText = z.string().trim().max(100);

export const CustomerListQuery = z.object({
  q: searchText.optional().openapi({
    param: { name: "q", in: "query" },
    description: "Part of an email or mobile number (3+ characters; a phone may be typed with spaces or dashes)",
  }),
});

export const CustomerListResponse = paged(UserSearchSchema).openapi("CustomerListResponseSchema");

const repeated = <T extends z.ZodType>(item: T) =>
  z.union([item.transform((v) => [v]), z.array(item)]).transform((v) => v as z.output<T>[]);

export const SearchUsersQuery = z
  .object({
    q: searchText.optional().openapi({
      param: { name: "q", in: "query" },
      description: "3+ characters of a name, email, phone or id (partial match)",
    }),
    query: repeated(z.string().trim().min(1).max(254))
      .pipe(z.array(z.string()).max(50))
      .optional()
      .openapi({
        param: { name: "query", in: "query", style: "form", explode: true },
        type: "array",
        items: { type: "string" },
        description: "Exact emails or phones; repeat the key for several",
      }),
  })
  .refine((v) => (v.q !== undefined && v.q !== "") || v.query !== undefined, { message: "give q or query", path: ["q"] });
export type SearchUsersQuery = z.output<typeof SearchUsersQuery>;

export const SearchUsersResponse = z.object({ users: z.array(UserSearchSchema) }).openapi("UserSearchResponseSchema");

// --- sessions (§4.2) ---

export const SessionUserQuery = z.object({
  id: userId.openapi({ param: { name: "id", in: "query" }, description: "The user id" }),
});
export const SessionsDeleteQuery = SessionUserQuery.extend({
  reason: reason.min(1).openapi({ param: { name: "reason", in: "query" } }),
});
export const SessionDeleteQuery = SessionsDeleteQuery.extend({
  session_id: z.string().min(1).max(64).openapi({ param: { name: "session_id", in: "query" } }),
});

export const SessionListResponse = z
  .object({
    items: z.array(
      z.object({
        session_id: z.string(),
        user_agent: z.string(),
        ip: z.string(),
        domain: z.string(),
        expire_in: z.string().openapi({ description: "When the session ends unless revoked (ISO date-time)" }),
        last_seen: z.string().openapi({ description: "Extension: when the session was last used (ISO date-time, to the minute)" }),
        location: z.string(),
      }),
    ),
  })
  .openapi("SessionListResponseSchema");

export const SessionDeleteResponse = z.object({ user_id: z.string(), session_id: z.string() }).openapi("SessionDeleteResponseSchema");
export const SessionsDeleteResponse = z
  .object({ user_id: z.string(), session_ids: z.array(z.string()) })
  .openapi("SessionsDeleteResponseSchema");

export const CreateUserSessionRequest = z
  .object({
    user_id: userId,
    domain: z
      .string()
      .trim()
      .min(1)
      .max(253)
      // No regex flags: the OpenAPI generator would print them into the documented pattern ("…$/i").
      .regex(/^[A-Za-z0-9.-]+(:\d{1,5})?$/, "must be a host name such as shop.example.com"),
  })
  .openapi("CreateUserSessionRequestSchema");

export const CreateUserSessionResponse = z
  .object({
    domain: z.string(),
    max_age: z.number().int().openapi({ description: "Seconds" }),
    secure: z.boolean(),
    http_only: z.boolean(),
    cookie: z.record(z.string(), z.string()).openapi({ example: { "f.session": "…" } }),
  })
  .openapi("CreateUserSessionResponseSchema");
