import { loginGuardStub, type LoginGuard, type ThrottleRule } from "../durable/login-guard";
import { tooManyRequests } from "../http/errors";
import type { PlatformConfig } from "../schemas/platform-config";

/*
 * Three counters guard password checks:
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
  /** The password was right: clear the account's counters, give the IP its attempt back. */
  succeeded(): Promise<void>;
}

function accountRules(lockout: PlatformConfig["account_lockout"], ip: string, ipKnown: boolean): ThrottleRule[] {
  const lockMs = lockout.duration * 1000;
  const windowMs = Math.max(lockMs, MIN_WINDOW_MS);
  return [
    { key: `pair:${ip}`, limit: lockout.attempts, windowMs, lockMs, maxLockMs: Math.max(lockMs, MAX_LOCK_MS) },
    {
      key: "account",
      limit: lockout.attempts * ACCOUNT_FACTOR,
      windowMs,
      lockMs,
      maxLockMs: lockMs,
      ...(ipKnown ? { unlessTrustedIp: ip } : {}),
    },
  ];
}

const ipRule: ThrottleRule = { key: "ip", limit: IP_LIMIT, windowMs: IP_WINDOW_MS, lockMs: IP_LOCK_MS, maxLockMs: MAX_LOCK_MS };

const lockedOut = (retryAfterMs: number) =>
  tooManyRequests(`Too many failed login attempts; try again in ${Math.ceil(retryAfterMs / 1000)} seconds`, retryAfterMs / 1000);

/**
 * Charges one password check to the account (`accountKey`: the user id, or the username when no
 * such user exists) and to the client IP; throws 429 with Retry-After when either is locked. Call
 * before verifying the password; call `succeeded()` when it was right. A failure needs no call.
 */
export async function beginLoginAttempt(
  namespace: DurableObjectNamespace<LoginGuard>,
  applicationId: string,
  lockout: PlatformConfig["account_lockout"],
  accountKey: string,
  clientIp: string,
): Promise<LoginAttempt> {
  const ip = clientIp || "unknown";
  const ipGuard = loginGuardStub(namespace, applicationId, `ip:${ip}`);
  const accountGuard = lockout.enable ? loginGuardStub(namespace, applicationId, `account:${accountKey}`) : undefined;
  const [byIp, byAccount] = await Promise.all([
    ipGuard.reserve([ipRule]),
    accountGuard?.reserve(accountRules(lockout, ip, clientIp !== "")) ?? { allowed: true as const },
  ]);
  if (!byIp.allowed || !byAccount.allowed) {
    // Give back what the other guard charged: this attempt never reaches the password check.
    if (byIp.allowed) await ipGuard.settle({ reset: [], refund: ["ip"] });
    if (byAccount.allowed && accountGuard) await accountGuard.settle({ reset: [], refund: [`pair:${ip}`, "account"] });
    throw lockedOut(Math.max(byIp.allowed ? 0 : byIp.retryAfterMs, byAccount.allowed ? 0 : byAccount.retryAfterMs));
  }
  return {
    async succeeded() {
      await Promise.all([
        ipGuard.settle({ reset: [], refund: ["ip"] }),
        accountGuard?.settle({ reset: [`pair:${ip}`, "account"], refund: [], ...(clientIp ? { trustIp: ip } : {}) }),
      ]);
    },
  };
}
