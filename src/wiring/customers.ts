import { database } from "../db/client";
import { CustomersRepo } from "../db/customers-repo";
import { EventsRepo } from "../db/events-repo";
import { IdentitiesRepo } from "../db/identities-repo";
import { UsersRepo } from "../db/users-repo";
import type { AdminScope, CustomerDeps } from "../services/customers/customers";
import { sessionDeps } from "./accounts";
import type { AppContext } from "../http/context";

/** The stores the platform customer/session services work with, for this request. */
export function customerDeps(c: AppContext): CustomerDeps {
  const db = database(c.env.DB);
  const users = new UsersRepo(db);
  return { users, customers: new CustomersRepo(db), identities: new IdentitiesRepo(db), events: new EventsRepo(db), sessions: sessionDeps(c) };
}

/** The application the platform route addresses and the API client acting on it (the audit actor). */
export function adminScope(c: AppContext): AdminScope {
  return { applicationId: c.var.application.id, actor: `platform:${c.var.platformCaller.clientId}` };
}
