import { toHex } from "../../crypto/tokens";
import { ApiError } from "../../errors";
import type { PlatformConfig } from "../../schemas/platform-config";

type PasswordSettings = PlatformConfig["password_settings"];

export type PolicyRule =
  | "min_length"
  | "max_length"
  | "require_number"
  | "require_capital_character"
  | "require_special_character"
  | "common_password"
  | "matches_identity"
  | "breached_password"
  | "history";

export interface PolicyViolation {
  rule: PolicyRule;
  message: string;
}

/** What the password must not simply repeat. */
export interface PasswordContext {
  email?: string | undefined;
  phone?: string | undefined;
}

/** OWASP ASVS: at least 64 characters must be accepted, and nothing is silently cut off. */
export const MAX_PASSWORD_LENGTH = 256;
const HIBP_RANGE_URL = "https://api.pwnedpasswords.com/range/";
const HIBP_TIMEOUT_MS = 2_000;

/** The list of passwords refused everywhere because attackers try them first (D1: PasswordsRepo.isCommon). */
export interface CommonPasswordList {
  isCommon(password: string): Promise<boolean>;
}

/** Length in characters as a person counts them (code points, after the same NFKC as hashing). */
const length = (password: string) => [...password.normalize("NFKC")].length;

/** The rules that need no storage or network: the application's settings plus the identity rule. */
export function policyViolations(password: string, settings: PasswordSettings, context: PasswordContext = {}): PolicyViolation[] {
  const rules = settings.configs;
  const violations: PolicyViolation[] = [];
  const chars = length(password);
  if (chars < rules.length) violations.push({ rule: "min_length", message: `must be at least ${rules.length} characters long` });
  if (chars > MAX_PASSWORD_LENGTH) violations.push({ rule: "max_length", message: `must be at most ${MAX_PASSWORD_LENGTH} characters long` });
  if (rules.require_number && !/\p{Nd}/u.test(password)) violations.push({ rule: "require_number", message: "must contain a number" });
  if (rules.require_capital_character && !/\p{Lu}/u.test(password)) {
    violations.push({ rule: "require_capital_character", message: "must contain a capital letter" });
  }
  if (rules.require_special_character && !/[^\p{L}\p{N}]/u.test(password)) {
    violations.push({ rule: "require_special_character", message: "must contain a special character (not a letter or digit)" });
  }
  const lowered = password.toLowerCase();
  const identities = [context.email, context.email?.split("@")[0], context.phone].filter((v): v is string => !!v && v.length >= 4);
  if (identities.some((id) => lowered === id.toLowerCase())) {
    violations.push({ rule: "matches_identity", message: "must not be your email address or phone number" });
  }
  return violations;
}

async function sha1Hex(text: string): Promise<string> {
  return toHex(await crypto.subtle.digest("SHA-1", new TextEncoder().encode(text))).toUpperCase();
}

/**
 * Whether the password appears in known breaches, via the k-anonymity range API: only the first 5
 * hex digits of its SHA-1 leave the Worker. Undefined when the service cannot answer; callers then
 * let the password through (an outage must not block every sign-up) and the warning is logged.
 */
export async function isBreached(password: string): Promise<boolean | undefined> {
  // As typed: breach corpora hold passwords the way people typed them, not normalised.
  const hash = await sha1Hex(password);
  const prefix = hash.slice(0, 5);
  const suffix = hash.slice(5);
  try {
    const res = await fetch(`${HIBP_RANGE_URL}${prefix}`, {
      headers: { "Add-Padding": "true", "User-Agent": "user-edge" },
      signal: AbortSignal.timeout(HIBP_TIMEOUT_MS),
    });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const body = await res.text();
    return body.split("\n").some((line) => {
      const [candidate, count] = line.trim().split(":");
      return candidate === suffix && Number(count) > 0;
    });
  } catch (error) {
    console.warn(JSON.stringify({ breach_check_unavailable: String(error) }));
    return undefined;
  }
}

export function policyError(violations: PolicyViolation[]): ApiError {
  return new ApiError(
    400,
    "PASSWORD_POLICY_VIOLATION",
    `The password ${violations.map((v) => `${v.message} (${v.rule})`).join("; ")}`,
    { rules: violations },
  );
}

/** Throws 400 PASSWORD_POLICY_VIOLATION naming each broken rule; the breach check runs last and only when enabled. */
export async function assertPasswordAllowed(
  password: string,
  settings: PasswordSettings,
  common: CommonPasswordList,
  context: PasswordContext = {},
): Promise<void> {
  const violations = policyViolations(password, settings, context);
  if (await common.isCommon(password)) violations.push({ rule: "common_password", message: "is one of the most commonly used passwords" });
  if (violations.length) throw policyError(violations);
  if (settings.breach_check && (await isBreached(password))) {
    throw policyError([{ rule: "breached_password", message: "has appeared in a data breach; choose another" }]);
  }
}
