import { beforeAll, describe, expect, it } from "vitest";
import { countChanges, errorShapeProblem, storageCounts } from "../support/fuzz/invariants";
import { fetchOpenApi, operations, type Operation } from "../support/fuzz/openapi";
import { call } from "../support/http";
import { loginByOtp } from "../support/sessions";
import { adminHeaders, basic, createTenant, type Tenant } from "../support/tenants";

const doc = await fetchOpenApi();
const withBody = operations(doc).filter((op) => op.body);

const KIB = 1024;
/** The Worker's limit for every body but customer CSV uploads, which their route reads up to 32 MiB. */
const limitOf = (op: Operation) => (op.body!.contentType === "text/csv" ? 32 * KIB * KIB : 64 * KIB);

/** A body of exactly `bytes` bytes in the operation's content type. */
function bodyOf(op: Operation, bytes: number): string {
  const type = op.body!.contentType;
  if (type === "text/csv") return `email\n${"a".repeat(bytes - 6)}`;
  if (type.includes("x-www-form-urlencoded")) return `grant_type=client_credentials&pad=${"A".repeat(bytes - 34)}`;
  return `{"pad":"${"A".repeat(bytes - 10)}"}`;
}

/** The same bytes as a stream of 16 KiB chunks, so no Content-Length tells the size up front. */
function streamOf(text: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + 16 * KIB));
      offset += 16 * KIB;
    },
  });
}

/**
 * Every operation that takes a body, with valid credentials: one byte over its limit is a 413 in the
 * error shape, whether the size is declared (Content-Length) or only found while reading (a stream),
 * and nothing is written; a body of exactly the limit is not refused for its size.
 */
describe("oversized bodies", () => {
  let tenant: Tenant;
  let headersFor: (op: Operation) => Record<string, string>;
  beforeAll(async () => {
    tenant = await createTenant();
    const cookie = (await loginByOtp(tenant)).cookie;
    const platform = (await adminHeaders(tenant)).authorization!;
    const schemes: Record<string, Record<string, string>> = {
      applicationCredential: { authorization: tenant.appAuth },
      sessionCookie: { cookie },
      platformToken: { authorization: platform },
      platformClient: { authorization: basic(tenant.clientId, tenant.clientSecret) },
    };
    headersFor = (op) => Object.assign({ "content-type": op.body!.contentType }, ...op.security.map((s) => schemes[s] ?? {}));
  });

  const pathOf = (op: Operation) => op.path.replace("{company_id}", tenant.companyId).replace("{application_id}", tenant.applicationId).replace(/\{\w+\}/g, "000000000000000000000000");

  it("finds operations with bodies", () => expect(withBody.length).toBeGreaterThan(20));

  for (const op of withBody) {
    it(`${op.operationId}: one byte over the limit is 413 and writes nothing; the limit itself is not`, async () => {
      const limit = limitOf(op);
      const over = bodyOf(op, limit + 1);
      expect(new TextEncoder().encode(over).length).toBe(limit + 1);
      for (const body of [over, streamOf(over)]) {
        const before = await storageCounts();
        const res = await call(pathOf(op), { method: op.method, headers: headersFor(op), body, ...(typeof body === "string" ? {} : { duplex: "half" }) } as RequestInit);
        const text = await res.text();
        expect(res.status, text).toBe(413);
        expect(errorShapeProblem(res, text)).toBeUndefined();
        expect(JSON.parse(text).code).toBe("PAYLOAD_TOO_LARGE");
        expect(countChanges(before, await storageCounts())).toEqual({});
      }
      if (limit <= 64 * KIB) {
        const atLimit = await call(pathOf(op), { method: op.method, headers: headersFor(op), body: bodyOf(op, limit) });
        expect(atLimit.status).not.toBe(413);
      }
    });
  }
});
