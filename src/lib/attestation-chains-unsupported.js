/*
 * Stands in for @peculiar/x509, @peculiar/asn1-android and reflect-metadata in the Worker bundle
 * (wrangler.toml [alias]). In @simplewebauthn/server they serve only certificate chains: attestation
 * statements that carry one and FIDO metadata BLOBs. We verify registrations with attestation "none"
 * ourselves (services/passkeys/attestation.ts) and call none of that, yet the library's helper index,
 * which its Ed25519 verifier imports, still reaches it. Were a path to get here, these constructors
 * throw and the request fails: nothing is ever accepted through them.
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
