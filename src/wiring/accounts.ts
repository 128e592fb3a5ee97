import { database } from "../db/client";
import { EventsRepo } from "../db/events-repo";
import { PasswordsRepo } from "../db/passwords-repo";
import { UsersRepo } from "../db/users-repo";
import { loadConfig } from "../env";
import type { AppContext } from "../http/context";
import { createNotifier } from "../notify";
import type { AccountDeps } from "../services/passwords/passwords";
import type { RegistrationDeps } from "../services/registration/register";
import type { SessionDeps } from "../services/sessions/sessions";

export function sessionDeps(c: AppContext): SessionDeps {
  return { registry: c.env.USER_SESSIONS, records: c.env.SESSIONS_KV };
}

export function usersRepo(c: AppContext): UsersRepo {
  return new UsersRepo(database(c.env.DB));
}

export function eventsRepo(c: AppContext): EventsRepo {
  return new EventsRepo(database(c.env.DB));
}

/** What the account services (register, login, passwords) need, built from the request's bindings. */
export function accountDeps(c: AppContext): AccountDeps {
  const db = database(c.env.DB);
  const config = loadConfig(c.env);
  return {
    users: new UsersRepo(db),
    passwords: new PasswordsRepo(db),
    events: new EventsRepo(db),
    sessions: sessionDeps(c),
    guard: c.env.LOGIN_GUARD,
    peppers: { current: config.passwordPepper, previous: config.passwordPepperPrevious },
    notifier: createNotifier(config, c.env.OTP_KV),
  };
}

/** accountDeps plus the guard objects that count registration attempts. */
export function registrationDeps(c: AppContext): RegistrationDeps {
  return { ...accountDeps(c), otpGuard: c.env.OTP_GUARD };
}
