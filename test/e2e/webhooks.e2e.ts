import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { DEMO, freshEmail } from "./clients";

interface Hit {
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * `wrangler dev` delivers to a Node HTTP receiver on loopback through its local queue: the first POST
 * is answered 500, so the retry (≈ 5 s later, the first step of the backoff) is what gets 204.
 */
describe("webhooks over real sockets", () => {
  const hits: Hit[] = [];
  let server: Server;
  let receiverUrl: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk) => (body += chunk));
      req.on("end", () => {
        hits.push({ headers: req.headers, body });
        res.statusCode = hits.length === 1 ? 500 : 204;
        res.end(hits.length === 1 ? "not yet" : undefined);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("signs, retries and delivers a user.created event; the receiver verifies it with standardwebhooks", async () => {
    const base = inject("workerUrl");
    const tokenRes = await fetch(`${base}/service/panel/authentication/v1.0/company/${DEMO.companyId}/oauth/token`, {
      method: "POST",
      headers: { authorization: `Basic ${btoa(`${DEMO.clientId}:${DEMO.clientSecret}`)}`, "content-type": "application/x-www-form-urlencoded" },
      body: "grant_type=client_credentials",
    });
    const { access_token } = (await tokenRes.json()) as { access_token: string };
    const plat = `${base}/service/platform/user/v1.0/company/${DEMO.companyId}/application/${DEMO.applicationId}`;
    const headers = { authorization: `Bearer ${access_token}`, "content-type": "application/json" };

    const created = await fetch(`${plat}/webhooks/endpoints`, { method: "POST", headers, body: JSON.stringify({ url: receiverUrl, event_types: ["user.created"] }) });
    expect(created.status).toBe(200);
    const endpoint = (await created.json()) as { id: string; secret: string };

    const email = freshEmail("webhook");
    const user = await fetch(`${plat}/customers`, { method: "POST", headers, body: JSON.stringify({ first_name: "Web", last_name: "Hook", email }) });
    expect(user.status).toBe(200);
    const userId = ((await user.json()) as { user: { _id: string } }).user._id;

    const deadline = Date.now() + 45_000;
    while (hits.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(hits).toHaveLength(2);

    const verifier = new Webhook(endpoint.secret);
    const payloads = hits.map((hit) => verifier.verify(hit.body, hit.headers as Record<string, string>) as { type: string; data: { user_id: string } });
    expect(payloads.map((p) => p.type)).toEqual(["user.created", "user.created"]);
    expect(payloads[0]!.data.user_id).toBe(userId);
    expect(hits[1]!.headers["webhook-id"]).toBe(hits[0]!.headers["webhook-id"]);
    expect(hits[0]!.body).not.toContain(email);

    const log = (await (await fetch(`${plat}/webhooks/endpoints/${endpoint.id}/attempts`, { headers })).json()) as { items: { status: number; response_snippet: string | null }[] };
    expect(log.items.map((a) => a.status)).toEqual([204, 500]);
    expect(log.items[1]!.response_snippet).toBe("not yet");

    expect((await fetch(`${plat}/webhooks/endpoints/${endpoint.id}`, { method: "DELETE", headers })).status).toBe(200);
  });
});
