import type { SessionRecord } from "../../durable/user-sessions";
import { ApiError, notFound } from "../../errors";
import { accountUnusableReason } from "../accounts/users";
import type { PlatformConfig } from "../../schemas/platform-config";
import { adminEvent, findCustomer, type AdminScope, type CustomerDeps } from "../customers/customers";
import { createSession, endAllSessions, endSession, listSessions, type ClientInfo } from "./sessions";

/** When a session ends unless revoked: its absolute end, or sooner when an idle (rolling) limit applies. */
function endsAt(session: SessionRecord): number {
  return session.idleMs > 0 ? Math.min(session.expiresAt, session.lastSeenAt + session.idleMs) : session.expiresAt;
}

/** platform getActiveSessions: the live sessions in the user's Durable Object, newest first. */
export async function customerSessions(stores: CustomerDeps, scope: AdminScope, userId: string) {
  await findCustomer(stores, scope, userId);
  const sessions = await listSessions(stores.sessions, scope.applicationId, userId);
  return {
    items: sessions.map((s) => ({
      session_id: s.id,
      user_agent: s.userAgent,
      ip: s.ip,
      domain: s.domain,
      expire_in: new Date(endsAt(s)).toISOString(),
      last_seen: new Date(s.lastSeenAt).toISOString(),
      // Sessions carry no geolocation; the field exists for SDK compatibility.
      location: "",
    })),
  };
}

/** platform deleteSession: ends one session; the user's next request with it is refused. */
export async function endCustomerSession(stores: CustomerDeps, scope: AdminScope, userId: string, sessionId: string, reason: string) {
  await findCustomer(stores, scope, userId);
  const ended = await endSession(stores.sessions, scope.applicationId, userId, sessionId);
  if (!ended) throw notFound("No such active session for this user");
  await stores.events.record(
    adminEvent(scope, userId, "admin.session.ended", "Logged out by the store", { subTitle: reason, data: { session_id: sessionId, reason } }),
  );
  return { user_id: userId, session_id: sessionId };
}

/** platform deleteActiveSessions: ends every session of the user. */
export async function endCustomerSessions(stores: CustomerDeps, scope: AdminScope, userId: string, reason: string) {
  await findCustomer(stores, scope, userId);
  const sessionIds = await endAllSessions(stores.sessions, scope.applicationId, userId);
  await stores.events.record(
    adminEvent(scope, userId, "admin.sessions.ended", "Logged out everywhere by the store", {
      subTitle: reason,
      data: { session_ids: sessionIds, reason },
    }),
  );
  return { user_id: userId, session_ids: sessionIds };
}

/**
 * platform createUserSession: a storefront session for the user, handed to the caller as the
 * `f.session` cookie value to set on `domain`. Accounts the storefront would refuse get none.
 */
export async function startCustomerSession(
  stores: CustomerDeps,
  scope: AdminScope,
  sessionConfig: PlatformConfig["session_config"],
  userId: string,
  client: ClientInfo,
) {
  const record = await findCustomer(stores, scope, userId);
  const unusable = accountUnusableReason(record.user);
  if (unusable) throw new ApiError(403, "ACCOUNT_UNUSABLE", unusable);
  const issued = await createSession(stores.sessions, scope.applicationId, sessionConfig, userId, client);
  await stores.events.record(
    adminEvent(scope, userId, "admin.session.created", "Session started by the store", {
      subTitle: client.domain,
      data: { session_id: issued.sessionId, domain: client.domain },
    }),
  );
  return {
    domain: client.domain,
    max_age: issued.maxAgeSeconds,
    secure: true,
    http_only: true,
    cookie: { "f.session": issued.token },
  };
}
