import { env } from "cloudflare:workers";
import fc from "fast-check";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { call } from "../http";
import { countChanges, errorShapeProblem, setsSession, storageCounts } from "./invariants";
import { malformedDraft } from "./malformed";
import { fetchOpenApi, operations, type Operation } from "./openapi";
import { buildRequest, needsSession, validDraft, type BuiltRequest, type Credentials, type Draft } from "./requests";
import { fuzzWorld, refusingProviders, type FuzzWorld } from "./world";

/**
 * Runs per operation and kind (valid-shaped, malformed). FUZZ_RUNS (a number, or "high" for the long
 * local mode of `npm run fuzz`) comes from the environment through vitest.config.ts; FUZZ_SEED replays.
 */
const HIGH_RUNS = 400;
const CI_RUNS = 10;
export const fuzzRuns = env.FUZZ_RUNS === "high" ? HIGH_RUNS : Number(env.FUZZ_RUNS) || CI_RUNS;
export const fuzzSeed = env.FUZZ_SEED ? Number(env.FUZZ_SEED) : undefined;
/** Generous per-test timeout for the chosen run count (a request with its two storage counts takes ~10-30 ms). */
const fuzzTimeoutMs = 30_000 + fuzzRuns * 2 * 400;

function describeRequest(req: BuiltRequest, draft: Draft): string {
  const body = req.body === undefined ? "" : req.body.length > 300 ? `${req.body.slice(0, 300)}…(${req.body.length} chars)` : req.body;
  return [
    `${req.method} ${req.path.length > 300 ? `${req.path.slice(0, 300)}…` : req.path}`,
    `auth=${draft.auth} cookie=${draft.cookie} headers=${JSON.stringify(req.headers).slice(0, 300)}`,
    draft.mutations.length ? `mutations: ${draft.mutations.join("; ")}` : "valid-shaped",
    body && `body: ${body}`,
  ]
    .filter(Boolean)
    .join("\n  ");
}

function send(req: BuiltRequest): Promise<Response> {
  return call(req.path, { method: req.method, headers: req.headers, ...(req.body === undefined ? {} : { body: req.body }) });
}

/**
 * The properties every request must keep, whatever it carries: never a 5xx; every refusal in the one
 * error shape with its request id; a refused request writes nothing (row counts of every D1 table and
 * the session records in KV are unchanged) and starts no session; nothing reaches Object.prototype.
 * Throws with `label` (what was sent) when one does not hold.
 */
export async function checkRequest(req: BuiltRequest, label: string): Promise<{ status: number; body: unknown }> {
  const before = await storageCounts();
  const res = await send(req);
  const text = await res.text();
  const problems: string[] = [];
  if (res.status >= 500) problems.push(`status ${res.status}`);
  if (res.status < 200 || res.status >= 300) {
    const shape = errorShapeProblem(res, text);
    if (shape) problems.push(`error shape: ${shape}`);
    const changes = countChanges(before, await storageCounts());
    if (Object.keys(changes).length) problems.push(`rejected but wrote: ${JSON.stringify(changes)}`);
    if (setsSession(res)) problems.push("rejected but set an f.session cookie");
  }
  const polluted = Object.keys(Object.prototype);
  if (polluted.length) problems.push(`Object.prototype polluted: ${polluted.join(", ")}`);
  if (problems.length) throw new Error(`${problems.join("; ")}\n  ${label}\n  → ${res.status} ${text.slice(0, 500)}`);
  return { status: res.status, body: parseJson(text) };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Fuzzes one operation: `fuzzRuns` valid-shaped requests, then `fuzzRuns` malformed ones, one at a time. */
export async function fuzzOperation(world: FuzzWorld, op: Operation) {
  await world.restoreSessions();
  const credentials = await world.credentials();
  const valid = validDraft(op, world.shape, world.tenantParams);
  const statuses: Record<string, Record<number, number>> = {};
  for (const [kind, drafts] of [["valid-shaped", valid], ["malformed", malformedDraft(op, valid)]] as const) {
    const seen: Record<number, number> = (statuses[kind] = {});
    await fc.assert(
      fc.asyncProperty(drafts, async (draft) => {
        if (needsSession(op)) await world.restoreSessions();
        const req = buildRequest(op, draft, credentials);
        const { status, body } = await checkRequest(req, describeRequest(req, draft));
        seen[status] = (seen[status] ?? 0) + 1;
        if (status >= 200 && status < 300) world.harvest(body);
      }),
      { numRuns: fuzzRuns, ...(fuzzSeed === undefined ? {} : { seed: fuzzSeed }) },
    );
  }
  // How deep the requests got (statuses seen), in the long mode: a route that only ever answers 400 is barely fuzzed.
  if (env.FUZZ_RUNS) console.log(`${op.operationId}: ${JSON.stringify(statuses)}`);
}


/**
 * One test per operation of /openapi.json that `include` selects, so routes added later are fuzzed
 * without touching the tests. The operations are read from the document at collection time.
 */
export async function describeFuzz(title: string, include: (op: Operation) => boolean) {
  const doc = await fetchOpenApi();
  const selected = operations(doc).filter(include);
  describe(title, () => {
    let world: FuzzWorld;
    beforeAll(async () => {
      world = await fuzzWorld(doc);
    });
    beforeEach(refusingProviders);
    afterEach(() => vi.restoreAllMocks());

    it("finds operations to fuzz", () => expect(selected.length).toBeGreaterThan(0));
    for (const op of selected) it(`${op.operationId}: ${op.key}`, () => fuzzOperation(world, op), fuzzTimeoutMs);
  });
}
