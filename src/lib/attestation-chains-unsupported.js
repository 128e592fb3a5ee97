/*
 * Stands in for @peculiar/x509, @peculiar/asn1-android and reflect-metadata in the Worker bundle
 * (wrangler.toml [alias]; about 30 KiB of the gzipped Worker). @simplewebauthn/server needs them only
 * to verify attestation statements that carry certificate chains (full "packed", "tpm",
 * "android-key", "android-safetynet", "apple", "fido-u2f") and FIDO metadata. Passkey registration
 * asks for attestation "none" (browsers then send "none") and keeps no attestation, so those paths
 * serve nothing here; a response that reaches one is refused: these constructors throw, and the
 * library reports a failed verification (400 PASSKEY_VERIFICATION_FAILED). Self attestation
 * ("packed" without a chain) needs none of this and still verifies.
 */
class CertificateChainsUnsupported {
  constructor() {
    throw new Error('attestation certificate chains are not accepted (registration asks for attestation "none")');
  }
}

export class X509Certificate extends CertificateChainsUnsupported {}
export class X509ChainBuilder extends CertificateChainsUnsupported {}
export class X509Crl extends CertificateChainsUnsupported {}
export class AuthorityKeyIdentifierExtension extends CertificateChainsUnsupported {}
export class SubjectKeyIdentifierExtension extends CertificateChainsUnsupported {}
export class CRLDistributionPointsExtension extends CertificateChainsUnsupported {}
export class KeyDescription extends CertificateChainsUnsupported {}
export const id_ce_keyDescription = "1.3.6.1.4.1.11129.2.1.17";
