import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z } from "@hono/zod-openapi";

/** The one error type of the service. Everything a client sees on failure is built from it. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly info?: unknown,
    /** Extra response headers, e.g. Retry-After on 429. */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export const badRequest = (message: string, info?: unknown) => new ApiError(400, "BAD_REQUEST", message, info);
export const unauthorized = (message = "Authentication required") => new ApiError(401, "UNAUTHORIZED", message);
export const forbidden = (message = "Not allowed") => new ApiError(403, "FORBIDDEN", message);
export const notFound = (message = "Not found") => new ApiError(404, "NOT_FOUND", message);
export const conflict = (message: string, info?: unknown) => new ApiError(409, "CONFLICT", message, info);
export const tooManyRequests = (message: string, retryAfterSeconds: number) =>
  new ApiError(429, "TOO_MANY_REQUESTS", message, { retry_after: retryAfterSeconds }, {
    "Retry-After": String(Math.max(1, Math.ceil(retryAfterSeconds))),
  });
export const badGateway = (message: string) => new ApiError(502, "UPSTREAM_FAILED", message);

/** The one JSON shape of every failure (the Fynd SDK builds its exception text from `message`). */
export const ErrorBody = z
  .object({
    message: z.string(),
    code: z.string(),
    status: z.number().int(),
    request_id: z.string(),
    info: z.unknown().optional(),
  })
  .openapi("Error");
export type ErrorBody = z.infer<typeof ErrorBody>;

export interface FieldIssue {
  field: string;
  message: string;
}

/** Turns zod issues into "which field, what is wrong" pairs; the path is dotted (`phone.mobile`, `emails.0.email`). */
export function fieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({
    field: issue.path.length ? issue.path.join(".") : "(body)",
    message: issue.message,
  }));
}

export function validationError(error: z.ZodError, source: string): ApiError {
  const issues = fieldIssues(error);
  const summary = issues.map((i) => `${i.field}: ${i.message}`).join("; ");
  return new ApiError(400, "VALIDATION_FAILED", `Invalid ${source}: ${summary}`, { fields: issues });
}

/** VALIDATION_FAILED for one field a service found wrong, in the same shape as schema failures. */
export function invalidField(source: string, field: string, message: string): ApiError {
  return new ApiError(400, "VALIDATION_FAILED", `Invalid ${source}: ${field}: ${message}`, { fields: [{ field, message }] });
}
