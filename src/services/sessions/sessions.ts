import { newId, newSecret, sha256Hex } from "../../crypto/tokens";
import { userSessionsStub, type SessionRecord, type UserSessions } from "../../durable/user-sessions";
import type { PlatformConfig } from "../../schemas/platform-config";

export interface SessionDeps {
  registry: DurableObjectNamespace<UserSessions>;
  records: KVNamespace;
}

export interface ClientInfo {
  userAgent: string;
  ip: string;
  domain: string;
}

export interface IssuedSession {
  /** The `f.session` cookie value. */
  token: string;
  sessionId: string;
  maxAgeSeconds: number;
}

export interface ValidSession {
  userId: string;
  sessionId: string;
  record: SessionRecord;
  /** The D1 bookmark of the user's latest write, if any: the request reads at least there. */
  bookmark?: string;
}

const UNIT_MS = { Days: 86_400_000, Hours: 3_600_000, Minutes: 60_000 } as const;
const MAX_ABSOLUTE_MS = 365 * 86_400_000;
// A rolling session lives while used, but never longer than this many idle periods.
const ROLLING_ABSOLUTE_FACTOR = 12;

/** Lifetimes from `session_config`: fixed sessions end `duration` after login; rolling ones after `duration` idle. */
export function sessionLifetimes(config: PlatformConfig["session_config"]): { absoluteMs: number; idleMs: number } {
  const durationMs = config.duration * UNIT_MS[config.type];
  if (!config.is_rolling) return { absoluteMs: Math.min(durationMs, MAX_ABSOLUTE_MS), idleMs: 0 };
  return { absoluteMs: Math.min(durationMs * ROLLING_ABSOLUTE_FACTOR, MAX_ABSOLUTE_MS), idleMs: durationMs };
}

/*
 * Cookie value: `<user id>.<session id>.<secret>`. Carrying the user id lets a request reach that
 * user's Durable Object directly, so a session check is a single storage round trip and still sees a
 * revocation made a moment ago anywhere. Altering the user or session id only points at an object
 * that does not hold that secret.
 */
const TOKEN_PATTERN = /^([0-9a-f]{24})\.([0-9a-f]{24})\.([A-Za-z0-9_-]{43})$/;

export function parseSessionToken(token: string): { userId: string; sessionId: string; secret: string } | undefined {
  const match = TOKEN_PATTERN.exec(token);
  return match ? { userId: match[1]!, sessionId: match[2]!, secret: match[3]! } : undefined;
}

const recordKey = (applicationId: string, tokenHash: string) => `session:${applicationId}:${tokenHash}`;

export async function createSession(
  stores: SessionDeps,
  applicationId: string,
  config: PlatformConfig["session_config"],
  userId: string,
  client: ClientInfo,
  now = Date.now(),
): Promise<IssuedSession> {
  const sessionId = newId();
  const secret = newSecret();
  const secretHash = await sha256Hex(secret);
  const { absoluteMs, idleMs } = sessionLifetimes(config);
  const record = { id: sessionId, createdAt: now, expiresAt: now + absoluteMs, idleMs, ...client };
  const token = `${userId}.${sessionId}.${secret}`;
  const tokenHash = await sha256Hex(token);
  // The KV copy carries the session's metadata beside the registry; validity is only ever decided by
  // the object, so both are written at once (a KV record without its registry entry is never valid).
  await Promise.all([
    userSessionsStub(stores.registry, applicationId, userId).create({ ...record, secretHash }),
    stores.records.put(recordKey(applicationId, tokenHash), JSON.stringify({ userId, applicationId, ...record, lastSeenAt: now }), {
      expirationTtl: Math.max(60, Math.ceil(absoluteMs / 1000)),
    }),
  ]);
  return { token, sessionId, maxAgeSeconds: Math.floor(absoluteMs / 1000) };
}

/** One Durable Object call; throws (fails closed) when the object cannot be reached. */
export async function validateSession(
  stores: SessionDeps,
  applicationId: string,
  token: string,
): Promise<ValidSession | undefined> {
  const parsed = parseSessionToken(token);
  if (!parsed) return undefined;
  const result = await userSessionsStub(stores.registry, applicationId, parsed.userId).validate(
    parsed.sessionId,
    await sha256Hex(parsed.secret),
  );
  if (!result.valid) return undefined;
  return { userId: parsed.userId, sessionId: parsed.sessionId, record: result.session, ...(result.bookmark ? { bookmark: result.bookmark } : {}) };
}

export async function endSession(stores: SessionDeps, applicationId: string, userId: string, sessionId: string, token?: string) {
  const ended = await userSessionsStub(stores.registry, applicationId, userId).revoke(sessionId);
  if (token) await stores.records.delete(recordKey(applicationId, await sha256Hex(token)));
  return ended;
}

/** Ends every session of the user (or all but `keepSessionId`); returns the ids ended. */
export async function endAllSessions(stores: SessionDeps, applicationId: string, userId: string, keepSessionId?: string) {
  return userSessionsStub(stores.registry, applicationId, userId).revokeAll(keepSessionId);
}

export async function listSessions(stores: SessionDeps, applicationId: string, userId: string) {
  return userSessionsStub(stores.registry, applicationId, userId).list();
}
