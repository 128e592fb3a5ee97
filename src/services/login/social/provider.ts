import { ApiError, badGateway } from "../../../errors";
import type { PlatformConfig } from "../../../schemas/platform-config";
import { normalizeEmail } from "../../../schemas/contacts";

export type ProviderName = "google" | "facebook" | "apple";

/** Who the provider says the user is. Everything here was proven by the provider, never taken from the client. */
export interface ProvenIdentity {
  provider: ProviderName;
  /** The provider's stable account id (`sub`, or Facebook's app-scoped user id). */
  subject: string;
  /** Lower-cased; absent when the provider did not share one. */
  email?: string;
  /** Whether the provider vouches that the user controls `email`. Only a vouched email may link accounts. */
  emailVerified: boolean;
}

/**
 * Display details for a NEW account. Not identity: they may come from the client's `profile` when the
 * provider does not send them (Apple sends names once, on the device), and are never used to match accounts.
 */
export interface DisplayDetails {
  firstName?: string;
  lastName?: string;
  pictureUrl?: string;
}

export interface ProviderResult {
  identity: ProvenIdentity;
  display: DisplayDetails;
}

/** One social provider: proves a login request against the provider with the application's settings. */
export interface SocialProvider<Request> {
  name: ProviderName;
  label: string;
  /** Whether the application has the credentials this provider needs (enabling is `social.<name>`). */
  configured(config: PlatformConfig): boolean;
  /** Throws 401 for a token that does not prove an identity for this application, 502 when the provider cannot answer. */
  verify(request: Request, config: PlatformConfig): Promise<ProviderResult>;
}

export const invalidToken = (message: string) => new ApiError(401, "SOCIAL_TOKEN_INVALID", message);
export const emailNotVerified = (label: string) =>
  new ApiError(403, "EMAIL_NOT_VERIFIED", `${label} has not verified this account's email address; verify it with ${label} first`);

const PROVIDER_TIMEOUT_MS = 5_000;

/**
 * A call to a provider's API. Unreachable, timed out or 5xx becomes 502: an outage must never look
 * like a refused (or, worse, an accepted) token. 4xx responses are returned for the caller to judge.
 */
export async function callProvider(label: string, url: string, init: RequestInit = {}): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS) });
  } catch {
    throw badGateway(`${label} could not be reached to verify the login; try again`);
  }
  if (response.status >= 500) throw badGateway(`${label} is unavailable (HTTP ${response.status}); try again`);
  return response;
}

/** Parses a provider's JSON answer; a body that is not JSON counts as an outage, not as a verdict. */
export async function providerJson(label: string, response: Response): Promise<unknown> {
  try {
    return await response.json();
  } catch {
    throw badGateway(`${label} sent an unreadable answer; try again`);
  }
}

/** Trims a display name to the users table's practical size. */
export function displayName(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() ? value.trim().slice(0, 100) : undefined;
}

/**
 * The email of a provider that vouches for its emails (Google, Apple). A token that presents an email the
 * provider has not verified is refused outright: such tokens are how pre-registration takeovers work.
 */
export function vouchedEmail(label: string, email: unknown, verified: unknown): Pick<ProvenIdentity, "email" | "emailVerified"> {
  if (email === undefined) return { emailVerified: false };
  const normalized = typeof email === "string" ? normalizeEmail(email) : undefined;
  if (!normalized) throw invalidToken(`${label} token rejected: it carries an invalid email address`);
  // Google and Apple have both sent the flag as a JSON boolean and as the string "true".
  if (verified !== true && verified !== "true") throw emailNotVerified(label);
  return { email: normalized, emailVerified: true };
}

/** What the client's profile may contribute to a new account: names only, and only where the provider gave none. */
export function displayDetails(
  proven: DisplayDetails,
  profile: { first_name?: string; last_name?: string; full_name?: string } | undefined,
): DisplayDetails {
  return {
    firstName: proven.firstName ?? displayName(profile?.first_name) ?? displayName(profile?.full_name),
    lastName: proven.lastName ?? displayName(profile?.last_name),
    pictureUrl: proven.pictureUrl,
  };
}
