import { createRoute, z } from "@hono/zod-openapi";
import { loadConfig } from "../../env";
import { ApiError } from "../../errors";
import { commonErrors, createRouter, ok } from "../../http/openapi";
import { applicationsRepo } from "../../http/tenant";
import { authenticateClient, issueTokens, refreshTokens } from "../../services/tenants/platform-auth";

const TokenResponse = z
  .object({
    access_token: z.string(),
    token_type: z.literal("Bearer"),
    expires_in: z.number().int(),
    refresh_token: z.string(),
    scope: z.array(z.string()),
  })
  .openapi("PlatformTokenResponse");

const TokenRequest = z.discriminatedUnion("grant_type", [
  z.object({ grant_type: z.literal("client_credentials") }),
  z.object({ grant_type: z.literal("refresh_token"), refresh_token: z.string().min(1).max(512) }),
]);

function basicCredentials(header: string | undefined): { id: string; secret: string } {
  const match = header?.match(/^Basic\s+(\S+)\s*$/i);
  let decoded = "";
  try {
    decoded = match?.[1] ? atob(match[1]) : "";
  } catch {
    decoded = "";
  }
  const colon = decoded.indexOf(":");
  if (colon <= 0) {
    throw new ApiError(401, "INVALID_CLIENT", "Client credentials are required (HTTP Basic client_id:client_secret)", undefined, {
      "WWW-Authenticate": 'Basic realm="platform"',
    });
  }
  return { id: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}

export const oauthRoutes = createRouter()
  .openapi(
    createRoute({
      method: "post",
      path: "/service/panel/authentication/v1.0/company/{company_id}/oauth/token",
      operationId: "getPlatformAccessToken",
      tags: ["Platform: auth"],
      summary: "Issue or refresh a platform access token (client credentials over HTTP Basic)",
      security: [{ platformClient: [] }],
      request: {
        params: z.object({ company_id: z.string().min(1).max(64).openapi({ param: { name: "company_id", in: "path" } }) }),
        body: { content: { "application/x-www-form-urlencoded": { schema: TokenRequest } }, required: true },
      },
      responses: ok(TokenResponse),
    }),
    async (c) => {
      const { company_id } = c.req.valid("param");
      const body = c.req.valid("form");
      const credentials = basicCredentials(c.req.header("authorization"));
      const caller = await authenticateClient(applicationsRepo(c), company_id, credentials.id, credentials.secret);
      const config = loadConfig(c.env);
      const settings = {
        signingKey: config.tokenSigningKey,
        accessTtlSeconds: config.platformTokenTtlSeconds,
        refreshStore: c.env.SESSIONS_KV,
        guard: c.env.OTP_GUARD,
      };
      const tokens =
        body.grant_type === "refresh_token"
          ? await refreshTokens(caller, body.refresh_token, settings)
          : await issueTokens(caller, settings);
      c.header("Cache-Control", "no-store");
      return c.json(tokens, 200);
    },
  );
