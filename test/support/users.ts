import { env } from "cloudflare:workers";
import { database } from "../../src/db/client";
import { UsersRepo, type UserRecord } from "../../src/db/users-repo";
import { normalizePhone } from "../../src/schemas/contacts";
import { newUserRecord } from "../../src/services/accounts/users";
import type { Tenant } from "./tenants";

export const usersRepo = () => new UsersRepo(database(env.DB));

/** An existing account, written through the users repo the way registration would. */
export async function createUser(
  tenant: Tenant,
  options: { email?: string; mobile?: string; verified?: boolean; primary?: boolean; blocked?: boolean } = {},
): Promise<UserRecord> {
  const verified = options.verified ?? true;
  const phone = options.mobile ? normalizePhone(options.mobile, "91") : undefined;
  const record = newUserRecord({
    applicationId: tenant.applicationId,
    ...(options.email ? { email: { email: options.email, verified } } : {}),
    ...(phone ? { phone: { ...phone, verified } } : {}),
  });
  record.user.blocked = options.blocked ?? false;
  for (const contact of [...record.emails, ...record.phones]) contact.primary = options.primary ?? true;
  const repo = usersRepo();
  await repo.commit(repo.insertStatements(record));
  const user = await repo.findById(tenant.applicationId, record.id);
  if (!user) throw new Error("user not created");
  return user;
}

/** OTP records (hashes) an application has in KV. */
export async function otpKeys(tenant: Tenant): Promise<string[]> {
  const listed = await env.OTP_KV.list({ prefix: `otp:${tenant.applicationId}:` });
  return listed.keys.map((k) => k.name);
}
