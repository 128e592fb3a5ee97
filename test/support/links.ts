import { env } from "cloudflare:workers";
import { ApplicationsRepo } from "../../src/db/applications-repo";
import { database } from "../../src/db/client";
import { ContactsRepo } from "../../src/db/contacts-repo";
import { EventsRepo } from "../../src/db/events-repo";
import type { UserRecord } from "../../src/db/users-repo";
import { CodeStore } from "../../src/kv/code-store";
import { OutboxNotifier } from "../../src/notify/outbox";
import { pacedOutbox } from "../../src/notify/pacing";
import { toApplication } from "../../src/services/tenants/applications";
import { sendVerificationLink } from "../../src/services/profile/verify-contact";
import type { Destination } from "../../src/services/codes/destinations";
import type { Tenant } from "./tenants";
import { usersRepo } from "./users";

/** Profile routes (a later issue) will issue these links; the service is called directly until then. */
export async function sendLinkFor(tenant: Tenant, user: UserRecord, destination: Destination) {
  const db = database(env.DB);
  const row = await new ApplicationsRepo(db, env.DB).findApplication(tenant.applicationId);
  const deps = {
    codes: new CodeStore(env.OTP_KV),
    notifier: pacedOutbox(new OutboxNotifier(env.OTP_KV)),
    linkBase: "https://shop.test",
    guard: env.OTP_GUARD,
    users: usersRepo(),
    contacts: new ContactsRepo(db),
    events: new EventsRepo(db),
  };
  return sendVerificationLink(deps, toApplication(row!), { user, destination, ip: "198.51.100.1" });
}
