/*
 * What we use of @simplewebauthn/server 14.0.3, imported from its own modules instead of the package
 * entry, which also brings every attestation-format verifier (TPM, Android, Apple, FIDO U2F...) and the
 * metadata service: registration asks for attestation "none" and is verified from these parsers
 * (services/passkeys/attestation.ts). With the certificate stack aliased away (wrangler.toml) this is
 * about 40 KiB less of the gzipped Worker. Relative paths on purpose, as in zod-without-locales.js: the
 * package's export map offers no deeper entry points.
 */
export { generateRegistrationOptions } from "../../node_modules/@simplewebauthn/server/esm/registration/generateRegistrationOptions.js";
export { generateAuthenticationOptions } from "../../node_modules/@simplewebauthn/server/esm/authentication/generateAuthenticationOptions.js";
export { verifyAuthenticationResponse } from "../../node_modules/@simplewebauthn/server/esm/authentication/verifyAuthenticationResponse.js";
export { decodeClientDataJSON } from "../../node_modules/@simplewebauthn/server/esm/helpers/decodeClientDataJSON.js";
export { decodeAttestationObject } from "../../node_modules/@simplewebauthn/server/esm/helpers/decodeAttestationObject.js";
export { parseAuthenticatorData } from "../../node_modules/@simplewebauthn/server/esm/helpers/parseAuthenticatorData.js";
export { matchExpectedRPID } from "../../node_modules/@simplewebauthn/server/esm/helpers/matchExpectedRPID.js";
export { decodeCredentialPublicKey } from "../../node_modules/@simplewebauthn/server/esm/helpers/decodeCredentialPublicKey.js";
export { parseBackupFlags } from "../../node_modules/@simplewebauthn/server/esm/helpers/parseBackupFlags.js";
export { convertAAGUIDToString } from "../../node_modules/@simplewebauthn/server/esm/helpers/convertAAGUIDToString.js";
export { COSEKEYS } from "../../node_modules/@simplewebauthn/server/esm/helpers/cose.js";
