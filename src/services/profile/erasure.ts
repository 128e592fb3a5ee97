import type { EventsRepo } from "../../db/events-repo";
import type { DueAccount, ErasureRepo } from "../../db/erasure-repo";
import { endAllSessions, type SessionDeps } from "../sessions/sessions";

export interface ErasureDeps {
  erasure: ErasureRepo;
  events: EventsRepo;
  sessions: SessionDeps;
}

/**
 * Accounts erased per run at most. The cron runs hourly; a backlog larger than this drains over the
 * following runs, and each account is its own transaction, so a run cut short loses nothing.
 */
export const MAX_ERASURES_PER_RUN = 500;

/** Erases one account if it is still due; false when an undelete (or another run) got there first. */
export async function eraseAccount(stores: ErasureDeps, account: DueAccount, now: string): Promise<boolean> {
  const erasedEvent = stores.events.insertWhenStatement(
    {
      applicationId: account.applicationId,
      userId: account.id,
      type: "user.erased",
      title: "Account deleted",
      subTitle: "personal data erased",
      actor: "system",
      visible: true,
      createdAt: now,
    },
    stores.erasure.erasedBy(account.id, now),
  );
  const claimed = await stores.erasure.erase(account, now, [erasedEvent]);
  // Sessions ended when the deletion was asked for; this only makes sure none outlives the account.
  if (claimed) await endAllSessions(stores.sessions, account.applicationId, account.id);
  return claimed;
}

/**
 * The Cron Trigger's work: every account whose deletion date (users.delete_on) has passed loses its
 * personal data. One failing account is logged and skipped so it cannot block the others.
 */
export async function eraseDueAccounts(stores: ErasureDeps, now: Date): Promise<{ erased: number; failed: number }> {
  const at = now.toISOString();
  const due = await stores.erasure.due(at, MAX_ERASURES_PER_RUN);
  let erased = 0;
  let failed = 0;
  for (const account of due) {
    try {
      if (await eraseAccount(stores, account, at)) erased++;
    } catch (error) {
      failed++;
      console.error(JSON.stringify({ erasure_failed: account.id, application_id: account.applicationId, error: String(error) }));
    }
  }
  return { erased, failed };
}
