import { fromBase64Url, toBase64Url } from "../../crypto/tokens";
import {
  COSEKEYS,
  convertAAGUIDToString,
  decodeAttestationObject,
  decodeClientDataJSON,
  decodeCredentialPublicKey,
  matchExpectedRPID,
  parseAuthenticatorData,
  parseBackupFlags,
} from "../../lib/simplewebauthn";
import type { RegistrationResponse } from "../../schemas/passkeys";

export interface Expected {
  challenge: string;
  origins: string[];
  rpId: string;
  algorithms: number[];
}

export interface RegisteredCredential {
  id: string;
  publicKey: Uint8Array;
  counter: number;
  deviceType: string;
  backedUp: boolean;
  aaguid: string;
}

/**
 * Verifies a registration (WebAuthn §7.1) with attestation "none", the only kind we ask for and keep:
 * client data (type, our challenge, an allowed origin), the RP id hash, user presence and
 * verification, and a credential key of an algorithm we offered; any other attestation format is
 * refused rather than trusted. The same steps as @simplewebauthn/server's verifyRegistrationResponse,
 * from its own parsers, without the attestation-format verifiers that carry a certificate stack.
 * Throws an Error naming what failed.
 */
export async function verifyNoneAttestation(response: RegistrationResponse, expected: Expected): Promise<RegisteredCredential> {
  if (response.id !== response.rawId) throw new Error("Credential ID was not base64url-encoded");
  const { type, challenge, origin } = decodeClientDataJSON(response.response.clientDataJSON);
  if (type !== "webauthn.create") throw new Error(`Unexpected registration response type: ${type}`);
  if (challenge !== expected.challenge) throw new Error("Unexpected registration response challenge");
  if (!expected.origins.includes(origin)) throw new Error(`Unexpected registration response origin "${origin}"`);
  const attestation = decodeAttestationObject(new Uint8Array(fromBase64Url(response.response.attestationObject)));
  const fmt = attestation.get("fmt");
  if (fmt !== "none") throw new Error(`Attestation format "${fmt}" is not accepted (registration asks for "none")`);
  if (attestation.get("attStmt").size > 0) throw new Error("None attestation had unexpected attestation statement");
  const { rpIdHash, flags, counter, aaguid, credentialID, credentialPublicKey } = parseAuthenticatorData(attestation.get("authData"));
  await matchExpectedRPID(rpIdHash, [expected.rpId]);
  if (!flags.up) throw new Error("User presence was required, but user was not present");
  if (!flags.uv) throw new Error("User verification was required, but user could not be verified");
  if (!credentialID || !credentialPublicKey || !aaguid) throw new Error("No credential was provided by the authenticator");
  if (toBase64Url(credentialID) !== response.id) throw new Error("The credential ID differs from the authenticator's");
  const alg = decodeCredentialPublicKey(credentialPublicKey).get(COSEKEYS.alg);
  if (typeof alg !== "number" || !expected.algorithms.includes(alg)) throw new Error(`Unexpected public key alg "${String(alg)}"`);
  const { credentialDeviceType, credentialBackedUp } = parseBackupFlags(flags);
  return {
    id: response.id,
    publicKey: credentialPublicKey,
    counter,
    deviceType: credentialDeviceType,
    backedUp: credentialBackedUp,
    aaguid: convertAAGUIDToString(aaguid),
  };
}
