// The platform API client of the console. The client secret and the tokens live in this module's memory
// only (never localStorage or a cookie): a reload signs out, and nothing outlives the tab.

const PLATFORM = "/service/platform/user/v1.0";
/** Renew this long before the access token expires, so a request never races its expiry. */
const RENEW_MARGIN_MS = 60_000;

let session = null;
let renewing = null;

/** The one error shape of the API ({message, code, status, request_id, info}) as a thrown value. */
export class ApiError extends Error {
  constructor(body, status) {
    super(body?.message ?? `HTTP ${status}`);
    this.status = body?.status ?? status;
    this.code = body?.code ?? "HTTP_ERROR";
    this.requestId = body?.request_id;
    this.info = body?.info;
  }
  /** `info.fields` of a validation failure: [{field, message}], dotted paths. */
  get fields() {
    return Array.isArray(this.info?.fields) ? this.info.fields : [];
  }
}

async function readError(res) {
  const body = await res.json().catch(() => null);
  return new ApiError(body, res.status);
}

async function tokenRequest(credentials, form) {
  const res = await fetch(`/service/panel/authentication/v1.0/company/${encodeURIComponent(credentials.companyId)}/oauth/token`, {
    method: "POST",
    headers: {
      authorization: `Basic ${btoa(`${credentials.clientId}:${credentials.clientSecret}`)}`,
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams(form),
  });
  if (!res.ok) throw await readError(res);
  const token = await res.json();
  return { access: token.access_token, refresh: token.refresh_token, expiresAt: Date.now() + token.expires_in * 1000 };
}

export async function signIn({ company_id, application_id, client_id, client_secret }) {
  const credentials = { companyId: company_id.trim(), applicationId: application_id.trim(), clientId: client_id.trim(), clientSecret: client_secret };
  const token = await tokenRequest(credentials, { grant_type: "client_credentials" });
  session = { ...credentials, token };
  // The application must answer too: a token is per company, the console works on one application.
  try {
    await api("GET", "/platform/config");
  } catch (error) {
    session = null;
    throw error;
  }
}

export function signOut() {
  session = null;
}

export const signedIn = () => session !== null;
export const applicationId = () => session?.applicationId;

/** Renews through the refresh grant; concurrent callers share one renewal. */
function renew() {
  renewing ??= tokenRequest(session, { grant_type: "refresh_token", refresh_token: session.token.refresh })
    .then((token) => {
      if (session) session.token = token;
    })
    .finally(() => {
      renewing = null;
    });
  return renewing;
}

let onSignedOut = () => {};
export function whenSignedOut(handler) {
  onSignedOut = handler;
}

async function authorized(url, init, retried = false) {
  if (!session) throw new ApiError({ message: "Signed out", code: "SIGNED_OUT", status: 401 }, 401);
  if (Date.now() > session.token.expiresAt - RENEW_MARGIN_MS) await renew().catch(expired);
  const res = await fetch(url, { ...init, headers: { ...init.headers, authorization: `Bearer ${session.token.access}` } });
  if (res.status === 401 && !retried) {
    // The token may have been revoked or outlived its clock: renew once, then give up.
    await renew().catch(expired);
    return authorized(url, init, true);
  }
  return res;
}

function expired(error) {
  session = null;
  onSignedOut(error);
  throw error;
}

function platformUrl(path, query) {
  const base = `${PLATFORM}/company/${encodeURIComponent(session.companyId)}/application/${encodeURIComponent(session.applicationId)}`;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    for (const v of Array.isArray(value) ? value : [value]) if (v !== undefined && v !== null && v !== "") params.append(key, String(v));
  }
  const qs = params.toString();
  return `${base}${path}${qs ? `?${qs}` : ""}`;
}

/**
 * Calls a platform operation: JSON in and out, the one error shape thrown as ApiError.
 * `raw` sends a Blob as the body as it is; `response: true` answers the Response (headers, files).
 */
export async function api(method, path, { query, body, raw, headers = {}, response = false } = {}) {
  if (!session) throw new ApiError({ message: "Signed out", code: "SIGNED_OUT", status: 401 }, 401);
  const init = { method, headers: { ...headers } };
  if (raw) {
    init.body = raw;
    init.headers["content-type"] ??= raw.type || "application/octet-stream";
  } else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers["content-type"] = "application/json";
  }
  const res = await authorized(platformUrl(path, query), init);
  if (!res.ok) throw await readError(res);
  return response ? res : res.json();
}

/** The API's OpenAPI document (public), read once: JSON Schemas of the request bodies and the operations offered. */
let openapi = null;
export async function openApiDocument() {
  openapi ??= fetch("/openapi.json").then((r) => (r.ok ? r.json() : Promise.reject(new Error(`openapi.json: HTTP ${r.status}`))));
  return openapi;
}
