import { fromBase64Url } from "../../crypto/tokens";
import { challengeGuard, type FactorGuard } from "../../durable/factor-guard";
import { ApiError } from "../../errors";

export const CHALLENGE_TTL_MS = 300_000;

/** What a challenge was issued for: adding a passkey in one session, or one sign-in attempt (maybe for one account). */
export type ChallengeRecord = { purpose: "register"; userId: string; sessionId: string } | { purpose: "sign_in"; userId?: string };

export const challengeInvalid = () =>
  new ApiError(400, "CHALLENGE_INVALID", "The passkey challenge is unknown, expired, already used or not yours; ask for new options");

export async function issueChallenge(namespace: DurableObjectNamespace<FactorGuard>, applicationId: string, challenge: string, record: ChallengeRecord) {
  const now = Date.now();
  await challengeGuard(namespace, applicationId, challenge).put("challenge", JSON.stringify(record), now + CHALLENGE_TTL_MS, now);
}

/** The challenge the client signed, read from its clientDataJSON (verified later with everything else). */
function signedChallenge(clientDataJSON: string): string {
  try {
    const data = JSON.parse(new TextDecoder().decode(fromBase64Url(clientDataJSON))) as { challenge?: unknown };
    if (typeof data.challenge === "string" && /^[A-Za-z0-9_-]{16,128}$/.test(data.challenge)) return data.challenge;
  } catch {
    // not base64url JSON: refused below like any other unknown challenge
  }
  throw challengeInvalid();
}

/**
 * Uses up the challenge a response answers, exactly once: concurrent requests with one response (or
 * two responses to one challenge) get it once between them. Refused when it is unknown, expired,
 * used, or was issued for something else (`accepts` false): a challenge is spent even then.
 */
export async function claimChallenge(
  namespace: DurableObjectNamespace<FactorGuard>,
  applicationId: string,
  clientDataJSON: string,
  accepts: (record: ChallengeRecord) => boolean,
): Promise<{ challenge: string; record: ChallengeRecord }> {
  const challenge = signedChallenge(clientDataJSON);
  const value = await challengeGuard(namespace, applicationId, challenge).take("challenge", Date.now());
  const record = value === undefined ? undefined : (JSON.parse(value) as ChallengeRecord);
  if (!record || !accepts(record)) throw challengeInvalid();
  return { challenge, record };
}
