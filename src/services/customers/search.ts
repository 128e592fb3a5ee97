import { phraseMatch } from "../../db/customers-repo";
import type { CustomersRepo } from "../../db/customers-repo";
import { pageWindow, pagination, type PageQuery } from "../../schemas/pagination";
import { ApiError } from "../../errors";
import type { SearchUsersQuery } from "../../schemas/customers";
import type { UserSearchSchema } from "../../schemas/user";
import { normalizeEmail } from "../../schemas/contacts";
import { adminPhone } from "./contacts";
import { toUserSearchSchema } from "../accounts/users";

/** searchUsers answers at most this many users (newest matches first); the contract has no paging. */
export const SEARCH_LIMIT = 50;
/** The trigram index matches substrings of 3+ characters; shorter ones would need a table scan. */
const MIN_PARTIAL_LENGTH = 3;

const invalidQuery = (field: string, message: string) =>
  new ApiError(400, "VALIDATION_FAILED", `Invalid query: ${field}: ${message}`, { fields: [{ field, message }] });

/**
 * What to look for in the index. Something that looks like a phone ("+91 98765-43210") is reduced to
 * its digits, which are a substring of the stored E.164 number.
 */
export function partialTerm(q: string): string {
  const text = q.trim().toLowerCase();
  const term = /^[+\d\s().-]+$/.test(text) ? text.replace(/\D/g, "") : text;
  if ([...term].length < MIN_PARTIAL_LENGTH) {
    throw invalidQuery("q", `give at least ${MIN_PARTIAL_LENGTH} characters (digits for a phone number)`);
  }
  return term;
}

/** platform getCustomers: every customer, newest first, or those whose email or mobile contains `q`. */
export async function listCustomers(customers: CustomersRepo, applicationId: string, q: string | undefined, page: PageQuery) {
  const window = pageWindow(page);
  const { records, total } = q
    ? await customers.match(applicationId, phraseMatch(partialTerm(q), ["emails", "phones"]), window)
    : await customers.page(applicationId, window);
  return { items: records.map(toUserSearchSchema), page: pagination(page, total) };
}

/** Splits `query` values into exact emails and E.164 phones; anything else is a 400 naming it. */
function exactContacts(values: string[]): { emails: string[]; phones: string[] } {
  const emails: string[] = [];
  const phones: string[] = [];
  values.forEach((value, i) => {
    if (value.includes("@")) {
      const email = normalizeEmail(value);
      if (!email) throw invalidQuery(`query.${i}`, `${value} is not an email address`);
      emails.push(email);
    } else {
      const phone = adminPhone(value);
      if (!phone) throw invalidQuery(`query.${i}`, `${value} is neither an email nor a phone number`);
      phones.push(phone.e164);
    }
  });
  return { emails, phones };
}

/**
 * platform searchUsers: exact owners of the `query` emails/phones first, then users with `q` in a
 * name, email, phone or id; at most SEARCH_LIMIT, each user once.
 */
export async function searchCustomers(
  customers: CustomersRepo,
  applicationId: string,
  input: SearchUsersQuery,
): Promise<{ users: UserSearchSchema[] }> {
  const exact = input.query ? exactContacts(input.query) : undefined;
  const term = input.q ? partialTerm(input.q) : undefined;
  const [exactIds, partialIds] = await Promise.all([
    exact ? customers.contactOwnerIds(applicationId, exact.emails, exact.phones, SEARCH_LIMIT) : [],
    term ? customers.matchIds(applicationId, phraseMatch(term), SEARCH_LIMIT) : [],
  ]);
  const ids = [...new Set([...exactIds, ...partialIds])].slice(0, SEARCH_LIMIT);
  const records = await customers.records(applicationId, ids);
  return { users: records.map(toUserSearchSchema) };
}
