import { describe, expect, it } from "vitest";
import { newAdmin, send, type Admin } from "../support/customers";

/** Partial updates, each touching a field no other one touches. */
const DISJOINT: Record<string, unknown>[] = [
  { display: "Display changed" },
  { subtext: "Subtext changed" },
  { flash_card: { text: "Flash changed" } },
  { look_and_feel: { background_color: "#123456" } },
  { delete_account_day: 9 },
  { session_config: { duration: 12, type: "Hours", is_rolling: true } },
  { otp: { resend_timer: 45 } },
  { allowed_origins: ["https://concurrent.example.com"] },
];

type Config = Record<string, unknown> & { __v: number };

const read = async (admin: Admin) => (await (await admin.api("/platform/config")).json()) as Config;
const post = (admin: Admin, body: unknown) => admin.api("/platform/config", send("POST", body));

/** `config` with `update` merged in, as the service merges a partial update (objects deeply, the rest replaced). */
function merged(config: unknown, update: unknown): unknown {
  if (!update || typeof update !== "object" || Array.isArray(update) || !config || typeof config !== "object") return update;
  const out: Record<string, unknown> = { ...(config as Record<string, unknown>) };
  for (const [key, value] of Object.entries(update)) out[key] = merged(out[key], value);
  return out;
}

/** Only what a request sets, compared (server fields and formats aside). */
const project = (config: Config, update: Record<string, unknown>) => Object.fromEntries(Object.keys(update).map((k) => [k, config[k]]));

describe("concurrent platform config updates", () => {
  it("disjoint partial updates at once: every accepted one is kept, every refused one left no trace", async () => {
    const admin = await newAdmin();
    const initial = await read(admin);
    const responses = await Promise.all(DISJOINT.map((u) => post(admin, u)));
    const accepted = DISJOINT.filter((_, i) => responses[i]!.status === 200);
    for (const res of responses) expect([200, 409]).toContain(res.status);
    expect(accepted.length).toBeGreaterThan(0);

    const final = await read(admin);
    // The final config is the serial result of the accepted updates (disjoint, so any order gives it).
    const expected = accepted.reduce<unknown>((config, update) => merged(config, update), initial) as Config;
    for (const update of DISJOINT) {
      const wasAccepted = accepted.includes(update);
      expect(project(final, update), JSON.stringify(update)).toEqual(project(wasAccepted ? expected : initial, update));
    }
    expect(final.__v).toBe(initial.__v + accepted.length);
  });

  it("competing updates of one field: the result is one of the accepted values, and a retry of the refused ones succeeds", async () => {
    const admin = await newAdmin();
    const values = Array.from({ length: 8 }, (_, i) => `Name ${i}`);
    const responses = await Promise.all(values.map((display) => post(admin, { display })));
    const accepted = values.filter((_, i) => responses[i]!.status === 200);
    expect(accepted.length).toBeGreaterThan(0);
    expect(accepted).toContain((await read(admin)).display);
    // A refusal is a clean conflict: sent again, it applies.
    const refused = values.find((_, i) => responses[i]!.status === 409);
    if (refused) {
      expect((await post(admin, { display: refused })).status).toBe(200);
      expect((await read(admin)).display).toBe(refused);
    }
  });
});
