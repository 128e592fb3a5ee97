import { exports } from "cloudflare:workers";

export const ORIGIN = "https://user-edge.test";

/** Drives the Worker over HTTP, exactly as a client would. */
export function call(path: string, init: RequestInit = {}): Promise<Response> {
  return exports.default.fetch(new Request(`${ORIGIN}${path}`, init));
}

export function json(body: unknown, init: RequestInit = {}): RequestInit {
  return {
    ...init,
    body: JSON.stringify(body),
    headers: { "content-type": "application/json", ...(init.headers as Record<string, string> | undefined) },
  };
}

/** Asserts the one error shape and returns the body. */
export async function expectError(res: Response, status: number, code?: string) {
  const body = (await res.json()) as { message: string; code: string; status: number; request_id: string; info?: unknown };
  const detail = JSON.stringify(body);
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${detail}`);
  if (typeof body.message !== "string" || !body.message) throw new Error(`no message: ${detail}`);
  if (body.status !== status) throw new Error(`status field ${body.status} != ${status}`);
  if (typeof body.request_id !== "string" || !body.request_id) throw new Error(`no request_id: ${detail}`);
  if (body.request_id !== res.headers.get("x-request-id")) throw new Error("request_id differs from x-request-id header");
  if (code && body.code !== code) throw new Error(`expected code ${code}, got ${body.code}: ${detail}`);
  return body;
}
