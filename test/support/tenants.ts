import { env } from "cloudflare:workers";
import { hashCredential } from "../../src/crypto/credentials";
import { newId, newSecret } from "../../src/crypto/tokens";
import { call } from "./http";

export interface Tenant {
  companyId: string;
  applicationId: string;
  applicationToken: string;
  clientId: string;
  clientSecret: string;
  /** `Authorization` header value for storefront calls. */
  appAuth: string;
  /** Path prefix of this tenant's platform API. */
  plat: string;
}

/**
 * A fresh company with one application and one platform client, inserted straight into D1 the way an
 * operator would provision it. Each test makes its own, so tests never see each other's data.
 */
export async function createTenant(options: { config?: Record<string, unknown>; companyId?: string } = {}): Promise<Tenant> {
  const companyId = options.companyId ?? `c-${newId()}`;
  const applicationId = newId();
  const applicationToken = newSecret();
  const clientId = `client-${newId()}`;
  const clientSecret = newSecret();
  const now = new Date().toISOString();
  const config = options.config ?? {};
  const origins = (config.allowed_origins as string[] | undefined) ?? [];
  await env.DB.batch([
    env.DB.prepare("insert or ignore into companies (id, name, created_at) values (?, ?, ?)").bind(companyId, "Test Co", now),
    env.DB.prepare(
      "insert into applications (id, company_id, name, token_hash, config, config_version, created_at, updated_at) values (?, ?, ?, ?, ?, 0, ?, ?)",
    ).bind(applicationId, companyId, "Test Store", await hashCredential(applicationToken), JSON.stringify(config), now, now),
    env.DB.prepare(
      "insert into platform_clients (client_id, company_id, secret_hash, name, active, created_at) values (?, ?, ?, ?, 1, ?)",
    ).bind(clientId, companyId, await hashCredential(clientSecret), "Test client", now),
    ...origins.map((o) =>
      env.DB.prepare("insert into application_origins (application_id, origin) values (?, ?)").bind(applicationId, o),
    ),
  ]);
  return {
    companyId,
    applicationId,
    applicationToken,
    clientId,
    clientSecret,
    appAuth: `Bearer ${btoa(`${applicationId}:${applicationToken}`)}`,
    plat: `/service/platform/user/v1.0/company/${companyId}/application/${applicationId}`,
  };
}

export function basic(id: string, secret: string): string {
  return `Basic ${btoa(`${id}:${secret}`)}`;
}

export async function requestToken(
  tenant: Pick<Tenant, "companyId" | "clientId" | "clientSecret">,
  form: Record<string, string> = { grant_type: "client_credentials" },
): Promise<Response> {
  return call(`/service/panel/authentication/v1.0/company/${tenant.companyId}/oauth/token`, {
    method: "POST",
    headers: {
      authorization: basic(tenant.clientId, tenant.clientSecret),
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams(form).toString(),
  });
}

/** A platform access token for the tenant's client. */
export async function platformToken(tenant: Tenant): Promise<string> {
  const res = await requestToken(tenant);
  if (res.status !== 200) throw new Error(`token request failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** Headers for platform API calls as the tenant's admin. */
export async function adminHeaders(tenant: Tenant): Promise<Record<string, string>> {
  return { authorization: `Bearer ${await platformToken(tenant)}` };
}
