/*
 * Stands in for @peculiar/asn1-schema and @peculiar/asn1-ecc in the Worker bundle (wrangler.toml [alias]).
 *
 * Why: @simplewebauthn/server 14.0.3 reaches the whole ASN.1 stack (asn1js, asn1-schema, asn1-x509,
 * asn1-rsa, asn1-ecc, asn1-x509-post-quantum, @peculiar/utils, pvtsutils: ≈ 135 KiB minified, ≈ 35 KiB of the
 * gzipped Worker) for two things. Certificates (attestation statements, FIDO metadata, `getCertificateInfo`,
 * `convertX509PublicKeyToCOSE`): we never parse one, registration takes attestation "none" only
 * (services/passkeys/attestation.ts). And one real need: an ES256/ES384/ES512 assertion signature is DER,
 * `Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }`, which `unwrapEC2Signature` reads with
 * `AsnParser.parse(signature, ECDSASigValue)` before WebCrypto checks it. That one call is all this module
 * answers; every other schema (a certificate, an OCTET STRING extension...) is refused, so nothing is ever
 * accepted through a stand-in.
 *
 * The reader is DER (X.690 §10), stricter than asn1js's BER reader, which the real parser uses: for every input
 * it accepts it returns what `AsnParser.parse(sig, ECDSASigValue)` returns (an ECDSASigValue whose r and s are
 * ArrayBuffers of the INTEGERs' content octets, sign octet included); test/asn1-ecdsa-signature.test.ts checks
 * that against the real parser. It refuses what WebAuthn §6.5.5 forbids ("MUST be encoded as an ASN.1 DER
 * Ecdsa-Sig-Value") and asn1js let through: trailing bytes, indefinite or non-minimal lengths, other tags, a third
 * element, empty, negative, zero or over-long integers. A refusal throws, so the sign-in is refused (401
 * PASSKEY_INVALID) as for a bad signature.
 * One exception, on purpose: leading zero octets in r or s. Some passkey providers pad them to the curve's width
 * now and then (go-webauthn/webauthn#408), which asn1js accepted; refusing them would fail about one sign-in in a
 * hundred for those users. The padded value is the same number, the signature must still verify against the key,
 * and a challenge is spent once, so a second spelling gains an attacker nothing; unwrapEC2Signature then insists
 * on the curve's exact width.
 */
import { CertificateChainsUnsupported } from "./attestation-chains-unsupported";

export { id_ecPublicKey, id_secp256r1, id_secp384r1, id_ecdsaWithSHA256, id_ecdsaWithSHA384, id_ecdsaWithSHA512 } from "./attestation-chains-unsupported";
// Certificate-only schemas of these two packages (SubjectPublicKeyInfo curves, FIDO AAGUID extension).
export { ECParameters, OctetString } from "./attestation-chains-unsupported";

const SEQUENCE = 0x30;
const INTEGER = 0x02;
// Content octets of the largest r or s: P-521's group order is below 2^521, so 66 octets whose first is at most
// 0x01 (never a sign octet). unwrapEC2Signature then insists on the exact size of the key's curve.
const MAX_INTEGER_OCTETS = 66;

/** An ECDSA signature's two components, as @peculiar/asn1-ecc's class of the same name holds them. */
export class ECDSASigValue {
  r = new ArrayBuffer(0);
  s = new ArrayBuffer(0);
  constructor(params: Partial<ECDSASigValue> = {}) {
    Object.assign(this, params);
  }
}

export class AsnParser {
  /** `AsnParser.parse(der, ECDSASigValue)` only; any other schema is a certificate structure we do not read. */
  static parse(data: BufferSource, target: unknown): ECDSASigValue {
    if (target !== ECDSASigValue) throw new CertificateChainsUnsupported();
    return readEcdsaSignature(data);
  }
}

const notDer = (why: string) => new Error(`The ECDSA signature is not DER: ${why}`);

/** Reads a DER Ecdsa-Sig-Value; throws on anything but exactly one, minimal lengths, with 0 < r, s (zero-padded allowed). */
export function readEcdsaSignature(data: BufferSource): ECDSASigValue {
  const der = ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
  let at = 0;
  /** Checks the identifier octet, reads a definite, minimal length that fits in the input; returns it. */
  const header = (tag: number, name: string): number => {
    if (der[at] !== tag) throw notDer(`expected ${name}`);
    let length = der[at + 1];
    at += 2;
    if (length === 0x81) {
      // One length octet: only for lengths 128-255 (smaller ones take the short form). More octets
      // (0x82...) would announce a length beyond anything a signature this size has.
      length = der[at++];
      if (length !== undefined && length < 0x80) throw notDer("non-minimal length");
    } else if (length !== undefined && length >= 0x80) throw notDer("indefinite or over-long length");
    if (length === undefined || length > der.length - at) throw notDer("truncated");
    return length;
  };
  const integer = (name: string): ArrayBuffer => {
    const length = header(INTEGER, `INTEGER ${name}`);
    if (length === 0) throw notDer(`${name} is empty`);
    if (length > MAX_INTEGER_OCTETS) throw notDer(`${name} is too long`);
    const first = der[at]!;
    if (first & 0x80) throw notDer(`${name} is negative`);
    const octets = der.subarray(at, at + length);
    if (octets.every((octet) => octet === 0)) throw notDer(`${name} is zero`);
    const value = octets.slice().buffer;
    at += length;
    return value;
  };
  const length = header(SEQUENCE, "SEQUENCE");
  if (at + length !== der.length) throw notDer("bytes after the signature");
  const r = integer("r");
  const s = integer("s");
  if (at !== der.length) throw notDer("more than two elements");
  return new ECDSASigValue({ r, s });
}
