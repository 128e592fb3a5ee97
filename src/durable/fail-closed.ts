import { ApiError } from "../errors";

/** A store the request needs could not be reached: nothing was decided, the client may retry shortly. */
export const unavailable = (what: string) =>
  new ApiError(503, "SERVICE_UNAVAILABLE", `${what} cannot be reached right now; nothing was done, try again`, undefined, {
    "Retry-After": "1",
  });

/**
 * A Durable Object stub whose failing calls (object unreachable, reset, overloaded, or the call itself
 * broken) throw 503 instead of escaping as a 500. The objects decide sessions, throttles and single-use
 * claims, so a failure must refuse the request, clearly: callers never catch this to carry on without them.
 */
export function failClosed<T extends object>(stub: T, what: string): T {
  return new Proxy(stub, {
    get(target, property) {
      const member: unknown = Reflect.get(target, property);
      if (typeof member !== "function") return member;
      return async (...args: unknown[]) => {
        try {
          // Reflect.apply: an RPC method stub would take `.apply` for a remote method name.
          return await Reflect.apply(member as (...a: unknown[]) => unknown, target, args);
        } catch (error) {
          console.error(JSON.stringify({ durable_object: what, method: String(property), error: String(error) }));
          throw unavailable(what);
        }
      };
    },
  });
}
