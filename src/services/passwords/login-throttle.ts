import { loginGuardStub, type LoginGuard, type Outcome, type ThrottleRule } from "../../durable/login-guard";
import { tooManyRequests } from "../../errors";
import type { PlatformConfig } from "../../schemas/platform-config";

/*
 * Three counters of failed password checks:
 *  - account + client IP: `account_lockout.attempts` failures lock that pair for `duration`, doubling
 *    with each further lock (up to a day). This is what a single attacker runs into, and it locks
 *    only the attacker's own IP out of the account.
 *  - account (all IPs): ACCOUNT_FACTOR times as many failures lock the account for `duration` — a
 *    fixed, bounded lock against attacks spread over many IPs — except from IPs the user has logged
 *    in from before, so even a distributed stranger cannot keep the owner out.
 *  - client IP (all accounts): credential stuffing from one address. Always on.
 * Unknown usernames get counters like real accounts, so a lock says nothing about which exist.
 */
const ACCOUNT_FACTOR = 5;
const MIN_WINDOW_MS = 3_600_000;
const MAX_LOCK_MS = 86_400_000;
const IP_LIMIT = 100;
const IP_WINDOW_MS = 3_600_000;
const IP_LOCK_MS = 900_000;

export interface LoginAttempt {
  /** The password was right: the account's counters are cleared. */
  succeeded(): Promise<void>;
  /** The password was wrong: counted everywhere it applies. */
  failed(): Promise<void>;
}

function accountRules(lockout: PlatformConfig["account_lockout"], ip: string, ipKnown: boolean): ThrottleRule[] {
  const lockMs = lockout.duration * 1000;
  const windowMs = Math.max(lockMs, MIN_WINDOW_MS);
  return [
    { key: `pair:${ip}`, limit: lockout.attempts, windowMs, lockMs, maxLockMs: MAX_LOCK_MS, resetOnSuccess: true },
    {
      key: "account",
      limit: lockout.attempts * ACCOUNT_FACTOR,
      windowMs,
      lockMs,
      maxLockMs: lockMs,
      resetOnSuccess: true,
      ...(ipKnown ? { unlessTrustedIp: ip } : {}),
    },
  ];
}

const ipRules: ThrottleRule[] = [
  { key: "ip", limit: IP_LIMIT, windowMs: IP_WINDOW_MS, lockMs: IP_LOCK_MS, maxLockMs: MAX_LOCK_MS, resetOnSuccess: false },
];

const lockedOut = (retryAfterMs: number) =>
  tooManyRequests(`Too many failed login attempts; try again in ${Math.ceil(retryAfterMs / 1000)} seconds`, retryAfterMs / 1000);

/**
 * Takes a password-check slot on the account (`accountKey`: the user id, or the username when no
 * such user exists) and on the client IP; throws 429 with Retry-After when either is locked or
 * full. Call before verifying the password, then exactly one of `succeeded()` / `failed()`.
 */
export async function beginLoginAttempt(
  namespace: DurableObjectNamespace<LoginGuard>,
  applicationId: string,
  lockout: PlatformConfig["account_lockout"],
  accountKey: string,
  clientIp: string,
): Promise<LoginAttempt> {
  const ip = clientIp || "unknown";
  // Only the account remembers the IPs its owner logs in from.
  const guards = [{ stub: loginGuardStub(namespace, applicationId, `ip:${ip}`), rules: ipRules, remembersIps: false }];
  if (lockout.enable) {
    const stub = loginGuardStub(namespace, applicationId, `account:${accountKey}`);
    guards.push({ stub, rules: accountRules(lockout, ip, clientIp !== ""), remembersIps: true });
  }
  const reservations = await Promise.all(guards.map((g) => g.stub.reserve(g.rules)));
  const settleAll = async (outcome: Outcome, trustIp?: string) => {
    await Promise.all(
      guards.map((g, i) => {
        const r = reservations[i]!;
        return r.allowed ? g.stub.settle(r.ticket, g.rules, outcome, g.remembersIps ? trustIp : undefined) : undefined;
      }),
    );
  };
  const refused = reservations.filter((r) => !r.allowed);
  if (refused.length) {
    // The slots the other guards gave are handed back: this attempt never reaches the password check.
    await settleAll("cancelled");
    throw lockedOut(Math.max(...refused.map((r) => r.retryAfterMs)));
  }
  return {
    succeeded: () => settleAll("success", clientIp || undefined),
    failed: () => settleAll("failure"),
  };
}
