import { ApiError } from "../../errors";
import type { CodeKind, CodeStore } from "../../kv/code-store";
import type { Notifier } from "../../notify";
import type { MessagePurpose } from "../../notify/purposes";
import { composeMessage } from "../../notify/templates";
import type { Application } from "../tenants/applications";
import { newSecret } from "../../crypto/tokens";
import { deliverOrUndo } from "./delivery";
import type { Destination } from "./destinations";
import { discardCode, issueCode } from "./one-time-codes";

export interface LinkDeps {
  codes: CodeStore;
  notifier: Notifier;
  /** The service-wide default (PUBLIC_LINK_BASE); an application's `otp.link_base_url` wins. */
  linkBase?: string;
}

/** Storefront pages the links open; each page posts the `code` back (sendResetToken/forgotPassword, verifyEmail, verifyMobile). */
const LINK_PATHS = {
  reset_password: "/auth/reset-password",
  verify_email: "/auth/verify-email",
  verify_mobile: "/auth/verify-mobile",
} as const satisfies Partial<Record<CodeKind, string>>;

export type LinkKind = keyof typeof LINK_PATHS;

function linkBase(deps: LinkDeps, app: Application): URL {
  const base = app.config.otp.link_base_url || deps.linkBase;
  if (!base) throw new ApiError(500, "LINKS_NOT_CONFIGURED", "Links cannot be sent: no link base URL is configured for this application");
  return new URL(base);
}

export interface LinkInput {
  kind: LinkKind;
  purpose: MessagePurpose;
  userId: string;
  destination: Destination;
}

function linkMessage(url: URL, app: Application, input: Omit<LinkInput, "userId">, code: string, now: number) {
  url.pathname = `${url.pathname.replace(/\/$/, "")}${LINK_PATHS[input.kind]}`;
  url.searchParams.set("code", code);
  const { channel, address } = input.destination;
  return composeMessage({ applicationId: app.id, config: app.config, channel, to: address, purpose: input.purpose, link: url.toString() }, now);
}

/** Issues a single-use link code bound to user, contact and application, and sends the link. */
export async function sendLink(deps: LinkDeps, app: Application, input: LinkInput, now = Date.now()): Promise<void> {
  const url = linkBase(deps, app); // before the code is stored: no link base, no code
  const { channel, address } = input.destination;
  const record = { kind: input.kind, applicationId: app.id, userId: input.userId, channel, destination: address };
  const code = await issueCode(deps.codes, record, app.config.otp.link_ttl_seconds, now);
  const message = linkMessage(url, app, input, code, now);
  await deliverOrUndo(deps.notifier, message, () => discardCode(deps.codes, app.id, input.kind, code));
}

/** The decoy of sendLink for an address with no account: the same message built, nothing stored or sent, the same time taken. */
export async function imitateLink(deps: LinkDeps, app: Application, input: Omit<LinkInput, "userId">, now = Date.now()): Promise<void> {
  await deps.notifier.imitate(linkMessage(linkBase(deps, app), app, input, newSecret(), now));
}
