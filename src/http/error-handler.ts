import type { ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppContext, AppEnv } from "./context";
import { ApiError, type ErrorBody } from "../errors";

function respond(c: AppContext, error: ApiError) {
  const body: ErrorBody = {
    message: error.message,
    code: error.code,
    status: error.status,
    request_id: c.var.requestId ?? "",
    ...(error.info === undefined ? {} : { info: error.info }),
  };
  for (const [name, value] of Object.entries(error.headers ?? {})) c.header(name, value);
  c.header("Cache-Control", "no-store");
  return c.json(body, error.status);
}

/** Hono's own exceptions (malformed JSON, body limit) mapped to stable codes. */
function fromHttpException(error: HTTPException): ApiError {
  const status = error.status as ContentfulStatusCode;
  if (status === 413) return new ApiError(413, "PAYLOAD_TOO_LARGE", "The request body is too large");
  if (status === 400 && /json/i.test(error.message)) {
    return new ApiError(400, "MALFORMED_JSON", "The request body is not valid JSON");
  }
  if (status === 415 || (status === 400 && /content-type/i.test(error.message))) {
    return new ApiError(415, "UNSUPPORTED_MEDIA_TYPE", "Send the body as application/json (or the content type this route documents)");
  }
  return new ApiError(status, status >= 500 ? "INTERNAL_ERROR" : "BAD_REQUEST", error.message || "Bad request");
}

export const onError: ErrorHandler<AppEnv> = (err, c) => {
  if (err instanceof ApiError) return respond(c, err);
  if (err instanceof HTTPException) return respond(c, fromHttpException(err));
  // Unexpected: log the detail with the request id, tell the client nothing internal.
  console.error(JSON.stringify({ request_id: c.var.requestId, error: String(err), stack: (err as Error)?.stack }));
  return respond(c, new ApiError(500, "INTERNAL_ERROR", "Something went wrong on our side; quote the request_id if you report it"));
};

export const onNotFound: NotFoundHandler<AppEnv> = (c) =>
  respond(c, new ApiError(404, "ROUTE_NOT_FOUND", `No route for ${c.req.method} ${new URL(c.req.url).pathname}`));
