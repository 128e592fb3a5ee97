import type { UserRecord } from "../../db/users-repo";
import { ApiError, forbidden, invalidField } from "../../errors";
import type { MessagePurpose } from "../../notify/purposes";
import type { Application } from "../tenants/applications";
import { contactVerified } from "../accounts/by-contact";
import type { ProfileDeps } from "./contact-change";
import { verifyOtp } from "../codes/otp";
import { endAllSessions } from "../sessions/sessions";

/** DeleteApplicationUserRequestSchema after validation: every field optional, as in the SDK. */
export interface DeletionRequest {
  user_id?: string | undefined;
  reason_id?: string | undefined;
  reason?: string | undefined;
  request_id?: string | undefined;
  otp?: string | undefined;
}

const DAY_MS = 86_400_000;

/**
 * The reason as configured; its free text only when the reason asks for one. Where the store lists
 * reasons one is required; where it lists none, none is taken. Throws 400 naming the field.
 */
function checkedReason(app: Application, request: DeletionRequest): { reasonId: string | null; reasonText: string; detail: string | null } {
  const reasons = app.config.delete_account_reasons;
  const known = reasons.map((r) => r.reason_id).join(", ");
  if (request.reason_id === undefined) {
    if (reasons.length > 0) throw invalidField("body", "reason_id", `required: one of ${known}`);
    return { reasonId: null, reasonText: "No reason given", detail: null };
  }
  const reason = reasons.find((r) => r.reason_id === request.reason_id);
  if (!reason) throw invalidField("body", "reason_id", known ? `must be one of: ${known}` : "this store has no deletion reasons configured");
  const detail = request.reason?.trim() || null;
  if (reason.show_text_area && !detail) throw invalidField("body", "reason", `required for reason ${reason.reason_id}`);
  return { reasonId: reason.reason_id, reasonText: reason.reason_text, detail: reason.show_text_area ? detail : null };
}

const notThisAccountsCode = () => new ApiError(400, "OTP_EXPIRED", "This code was not sent to this account for deleting it");

/**
 * Which codes confirm a deletion: sendOTPOnPrimary's (action delete_account), and the code of
 * sendOTPOnMobile / sendOTPOnEmail sent while this user was logged in to one of its own verified
 * contacts (bound to the user when sent). A code sent without a session, or to anyone else, never does.
 */
async function deletionPurpose(deps: ProfileDeps, app: Application, user: UserRecord, requestId: string): Promise<MessagePurpose> {
  const record = await deps.otps.get(app.id, requestId);
  if (record?.purpose === "delete_account") return "delete_account";
  if (record?.purpose === "login" && record.userId === user.user.id) return "login";
  throw notThisAccountsCode();
}

/**
 * deleteUser: a code from one of the sends above confirms it. The account is scheduled for erasure
 * `delete_account_day` days from now and every session ends at once; until the date the platform's
 * unDeleteUser restores it, after it the Cron Trigger erases it. Returns the erasure date.
 */
export async function requestDeletion(
  deps: ProfileDeps,
  app: Application,
  input: { user: UserRecord; request: DeletionRequest },
  now = Date.now(),
): Promise<string> {
  const { user, request } = input;
  if (request.user_id !== undefined && request.user_id !== user.user.id) throw forbidden("user_id is not the logged-in user");
  const reason = checkedReason(app, request);
  if (request.request_id === undefined) throw invalidField("body", "request_id", "required: the request_id of the code's send");
  if (request.otp === undefined) throw invalidField("body", "otp", "required: the code that was sent");
  const purpose = await deletionPurpose(deps, app, user, request.request_id);
  const record = await verifyOtp(deps, app, { requestId: request.request_id, purpose, code: request.otp, userId: user.user.id }, now);
  // Only a proven contact confirms: a code to one the account merely lists proves nothing about the account.
  if (!contactVerified(user, { channel: record.channel, address: record.destination })) throw notThisAccountsCode();

  const at = new Date(now).toISOString();
  const deleteOn = new Date(now + app.config.delete_account_day * DAY_MS).toISOString();
  await deps.users.commit([
    deps.account.scheduleDeletionStatement(app.id, user.user.id, deleteOn, at),
    deps.events.insertWhenStatement(
      {
        applicationId: app.id,
        userId: user.user.id,
        type: "user.deletion_requested",
        title: "Account deletion requested",
        subTitle: reason.reasonText,
        actor: "user",
        visible: true,
        data: { reason_id: reason.reasonId, reason: reason.detail, delete_on: deleteOn },
        createdAt: at,
      },
      deps.account.deletionScheduled(user.user.id, deleteOn),
    ),
  ]);
  await endAllSessions(deps.sessions, app.id, user.user.id);
  return deleteOn;
}
