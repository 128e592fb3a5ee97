/*
 * Stands in, in the Worker bundle (wrangler.toml [alias]), for the certificate side of @simplewebauthn/server
 * 14.0.3: @peculiar/x509, @peculiar/asn1-android, @peculiar/asn1-x509, @peculiar/asn1-rsa,
 * @peculiar/asn1-x509-post-quantum and reflect-metadata (and the certificate-only names of asn1-schema and
 * asn1-ecc, re-exported by asn1-ecdsa-signature-only.ts). The library uses them only for certificates:
 * attestation statements that carry a chain, FIDO metadata BLOBs, an X.509 leaf's key or its info. We verify
 * registrations with attestation "none" ourselves (services/passkeys/attestation.ts) and call none of that, yet
 * the library's helper index, which its Ed25519 and ML-DSA verifiers import, and verifySignature still reach
 * it. Were a path to get here, these constructors (and AsnParser for any schema but an ECDSA signature) throw
 * and the request fails: nothing is ever accepted through them.
 *
 * The object identifiers are the packages' real values (test/asn1-ecdsa-signature.test.ts compares them), so
 * the code that compares a certificate's algorithm with them stays correct, though no certificate gets there.
 */
export class CertificateChainsUnsupported extends Error {
  constructor() {
    super('attestation certificate chains are not accepted (registration asks for attestation "none")');
  }
}

class Refused {
  constructor() {
    throw new CertificateChainsUnsupported();
  }
}

// @peculiar/x509 (chain building, revocation)
export class X509Certificate extends Refused {}
export class X509ChainBuilder extends Refused {}
export class X509Crl extends Refused {}
export class AuthorityKeyIdentifierExtension extends Refused {}
export class SubjectKeyIdentifierExtension extends Refused {}
export class CRLDistributionPointsExtension extends Refused {}
// @peculiar/asn1-android (Android key attestation)
export class KeyDescription extends Refused {}
export const id_ce_keyDescription = "1.3.6.1.4.1.11129.2.1.17";
// @peculiar/asn1-x509 (certificate info, TPM and Apple attestation)
export class Certificate extends Refused {}
export class BasicConstraints extends Refused {}
export class ExtendedKeyUsage extends Refused {}
export class SubjectAlternativeName extends Refused {}
export const id_ce_basicConstraints = "2.5.29.19";
export const id_ce_extKeyUsage = "2.5.29.37";
export const id_ce_subjectAltName = "2.5.29.17";
// @peculiar/asn1-rsa (an X.509 leaf's RSA key, certificate signature algorithms)
export class RSAPublicKey extends Refused {}
export const id_rsaEncryption = "1.2.840.113549.1.1.1";
export const id_sha1WithRSAEncryption = "1.2.840.113549.1.1.5";
export const id_sha256WithRSAEncryption = "1.2.840.113549.1.1.11";
export const id_sha384WithRSAEncryption = "1.2.840.113549.1.1.12";
export const id_sha512WithRSAEncryption = "1.2.840.113549.1.1.13";
// @peculiar/asn1-x509-post-quantum (an X.509 leaf's ML-DSA key)
export const id_ml_dsa_44 = "2.16.840.1.101.3.4.3.17";
export const id_ml_dsa_65 = "2.16.840.1.101.3.4.3.18";
export const id_ml_dsa_87 = "2.16.840.1.101.3.4.3.19";
// @peculiar/asn1-ecc and asn1-schema, certificate side (an X.509 leaf's EC key, the FIDO AAGUID extension)
export class ECParameters extends Refused {}
export class OctetString extends Refused {}
export const id_ecPublicKey = "1.2.840.10045.2.1";
export const id_secp256r1 = "1.2.840.10045.3.1.7";
export const id_secp384r1 = "1.3.132.0.34";
export const id_ecdsaWithSHA256 = "1.2.840.10045.4.3.2";
export const id_ecdsaWithSHA384 = "1.2.840.10045.4.3.3";
export const id_ecdsaWithSHA512 = "1.2.840.10045.4.3.4";
