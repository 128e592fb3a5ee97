import fc from "fast-check";
import { describe, expect, it } from "vitest";
// The real ASN.1 packages, to compare with: the Worker bundle aliases them away (wrangler.toml [alias]) and
// vitest.config.ts redirects only @simplewebauthn/server's imports of them, so here they are the real ones.
import * as realAndroid from "@peculiar/asn1-android";
import * as realEcc from "@peculiar/asn1-ecc";
import * as realRsa from "@peculiar/asn1-rsa";
import { AsnParser as RealAsnParser } from "@peculiar/asn1-schema";
import * as realX509 from "@peculiar/asn1-x509";
import * as realPostQuantum from "@peculiar/asn1-x509-post-quantum";
// The library's own module, as the Worker runs it: its ASN.1 imports resolve to our stand-ins.
import { unwrapEC2Signature } from "../node_modules/@simplewebauthn/server/esm/helpers/iso/isoCrypto/unwrapEC2Signature.js";
import * as ecdsa from "../src/lib/asn1-ecdsa-signature-only";
import * as chains from "../src/lib/attestation-chains-unsupported";

const bytes = (b: ArrayBuffer | Uint8Array) => [...new Uint8Array(b)];
const cat = (...parts: (Uint8Array | number[])[]) => Uint8Array.from(parts.flatMap((p) => [...p]));
const toBigInt = (b: ArrayBuffer) => bytes(b).reduce((n, x) => (n << 8n) | BigInt(x), 0n);

/** Minimal DER of a positive integer: big-endian, no leading zero but the sign octet a set top bit needs. */
function derInteger(n: bigint): Uint8Array {
  const octets: number[] = [];
  for (let v = n; v > 0n; v >>= 8n) octets.unshift(Number(v & 0xffn));
  if (octets[0]! & 0x80) octets.unshift(0);
  return cat([0x02, octets.length], octets);
}
const derLength = (n: number) => (n < 0x80 ? [n] : [0x81, n]);
/** The SEQUENCE of two INTEGERs with exactly these content octets (padding kept), minimal lengths. */
const derOfOctets = (r: ArrayBuffer, s: ArrayBuffer) => {
  const body = cat([0x02, ...derLength(r.byteLength)], new Uint8Array(r), [0x02, ...derLength(s.byteLength)], new Uint8Array(s));
  return cat([0x30, ...derLength(body.length)], body);
};
const derSignature = (r: bigint, s: bigint) => {
  const body = cat(derInteger(r), derInteger(s));
  return cat([0x30, ...derLength(body.length)], body);
};

/** r or s of any size up to P-521's 521 bits, uniform over bit lengths (so every padding case comes up). */
const component = fc.integer({ min: 1, max: 521 }).chain((bits) => fc.bigInt({ min: 1n << BigInt(bits - 1), max: (1n << BigInt(bits)) - 1n }));
const validSignature = fc.tuple(component, component).map(([r, s]) => ({ r, s, der: derSignature(r, s) }));

/** Near misses of valid DER (one byte changed, inserted, dropped, cut, appended) and plain noise. */
const malformed = fc.oneof(
  fc.tuple(validSignature, fc.nat(), fc.integer({ min: 0, max: 255 })).map(([{ der }, i, b]) => {
    const out = der.slice();
    out[i % out.length] = b;
    return out;
  }),
  fc.tuple(validSignature, fc.nat(), fc.integer({ min: 0, max: 255 })).map(([{ der }, i, b]) => cat(der.slice(0, i % der.length), [b], der.slice(i % der.length))),
  fc.tuple(validSignature, fc.nat()).map(([{ der }, i]) => cat(der.slice(0, i % der.length), der.slice((i % der.length) + 1))),
  fc.tuple(validSignature, fc.nat()).map(([{ der }, i]) => der.slice(0, i % der.length)),
  fc.tuple(validSignature, fc.uint8Array({ minLength: 1, maxLength: 4 })).map(([{ der }, tail]) => cat(der, tail)),
  fc.uint8Array({ maxLength: 150 }),
);

describe("the DER reader behind AsnParser.parse(signature, ECDSASigValue)", () => {
  it("reads every valid signature as @peculiar/asn1-schema does", () => {
    fc.assert(
      fc.property(validSignature, ({ r, s, der }) => {
        const real = RealAsnParser.parse(der, realEcc.ECDSASigValue);
        const ours = ecdsa.AsnParser.parse(der, ecdsa.ECDSASigValue);
        expect(ours).toBeInstanceOf(ecdsa.ECDSASigValue);
        expect(ours.r).toBeInstanceOf(ArrayBuffer);
        expect(bytes(ours.r)).toEqual(bytes(real.r));
        expect(bytes(ours.s)).toEqual(bytes(real.s));
        expect([toBigInt(ours.r), toBigInt(ours.s)]).toEqual([r, s]);
      }),
      { numRuns: 1000 },
    );
  });

  it("accepts only the one DER encoding of a signature, and then agrees with the real parser", () => {
    let refused = 0;
    fc.assert(
      fc.property(malformed, (input) => {
        let ours: ecdsa.ECDSASigValue;
        try {
          ours = ecdsa.readEcdsaSignature(input);
        } catch (error) {
          expect((error as Error).message).toMatch(/^The ECDSA signature is not DER: /);
          refused++;
          return;
        }
        // Accepted: the input is exactly the DER of the octets read (no second spelling of a signature gets
        // through but zero-padded integers, see the reader), and the real parser reads the same values from it.
        expect(bytes(input)).toEqual(bytes(derOfOctets(ours.r, ours.s)));
        expect(toBigInt(ours.r) > 0n && toBigInt(ours.s) > 0n).toBe(true);
        const real = RealAsnParser.parse(input, realEcc.ECDSASigValue);
        expect([bytes(ours.r), bytes(ours.s)]).toEqual([bytes(real.r), bytes(real.s)]);
      }),
      { numRuns: 3000 },
    );
    expect(refused).toBeGreaterThan(1500);
  });

  // r = 0x01…, s = 0x80… (needs a sign octet) as a base to spoil one way at a time.
  const r = cat([0x02, 0x02, 0x01, 0x02]);
  const s = cat([0x02, 0x03, 0x00, 0x80, 0x01]);
  const seq = (...items: (Uint8Array | number[])[]) => {
    const body = cat(...items);
    return cat([0x30, body.length], body);
  };
  const refusals: [string, Uint8Array, RegExp][] = [
    ["nothing", new Uint8Array(0), /expected SEQUENCE/],
    ["a SET instead of a SEQUENCE", cat([0x31], seq(r, s).slice(1)), /expected SEQUENCE/],
    ["a byte after the SEQUENCE", cat(seq(r, s), [0x00]), /bytes after/],
    ["an indefinite length", cat([0x30, 0x80], r, s, [0x00, 0x00]), /indefinite/],
    ["a long-form length for a short SEQUENCE", cat([0x30, 0x81, r.length + s.length], r, s), /non-minimal length/],
    ["a two-octet length", cat([0x30, 0x82, 0x00, r.length + s.length], r, s), /over-long length/],
    ["a long-form INTEGER length", seq([0x02, 0x81, 0x02, 0x01, 0x02], s), /non-minimal length/],
    ["a SEQUENCE longer than the input", cat([0x30, r.length + s.length + 1], r, s), /truncated/],
    ["a length octet missing", Uint8Array.of(0x30), /truncated/],
    ["a long-form length octet missing", Uint8Array.of(0x30, 0x81), /truncated/],
    ["an INTEGER running past the SEQUENCE", seq(r, [0x02, 0x04, 0x00, 0x80, 0x01]), /truncated/],
    ["one INTEGER only", seq(r), /expected INTEGER s/],
    ["a third element", seq(r, s, [0x02, 0x01, 0x01]), /more than two elements/],
    ["an OCTET STRING for r", seq([0x04], r.slice(1), s), /expected INTEGER r/],
    ["a BIT STRING for s", seq(r, [0x03], s.slice(1)), /expected INTEGER s/],
    ["a context-tagged r", seq([0x80], r.slice(1), s), /expected INTEGER r/],
    ["a constructed INTEGER", seq([0x22, 0x04], r, s), /expected INTEGER r/],
    ["an empty INTEGER", seq([0x02, 0x00], s), /r is empty/],
    ["a negative r", seq([0x02, 0x01, 0x80], s), /r is negative/],
    ["a negative s (sign octet dropped)", seq(r, [0x02, 0x02, 0x80, 0x01]), /s is negative/],
    ["r = 0", seq([0x02, 0x01, 0x00], s), /r is zero/],
    ["s = 0", seq(r, [0x02, 0x01, 0x00]), /s is zero/],
    ["r = 0, zero-padded", seq([0x02, 0x03, 0x00, 0x00, 0x00], s), /r is zero/],
    ["an INTEGER of 67 octets (beyond P-521)", cat([0x30, 0x81, 69 + 62, 0x02, 67, 0x00, 0x80], new Uint8Array(65), [0x02, 60, 0x01], new Uint8Array(59)), /r is too long/],
  ];
  for (const [what, der, why] of refusals) {
    it(`refuses ${what}`, () => {
      expect(() => ecdsa.AsnParser.parse(der, ecdsa.ECDSASigValue)).toThrow(why);
    });
  }

  it("takes zero-padded r and s (some passkey providers pad to the curve's width) as the real parser does", () => {
    for (const padded of [seq([0x02, 0x03, 0x00, 0x01, 0x02], s), seq(r, [0x02, 0x04, 0x00, 0x00, 0x80, 0x01])]) {
      const ours = ecdsa.readEcdsaSignature(padded);
      const real = RealAsnParser.parse(padded, realEcc.ECDSASigValue);
      expect([bytes(ours.r), bytes(ours.s)]).toEqual([bytes(real.r), bytes(real.s)]);
    }
  });

  it("takes the base signature those cases spoil, and every prefix of a valid one is refused", () => {
    expect(bytes(ecdsa.readEcdsaSignature(seq(r, s)).s)).toEqual([0x00, 0x80, 0x01]);
    fc.assert(
      fc.property(validSignature, ({ der }) => {
        for (let n = 0; n < der.length; n++) expect(() => ecdsa.readEcdsaSignature(der.subarray(0, n))).toThrow(/not DER/);
      }),
      { numRuns: 100 },
    );
  });
});

describe("@simplewebauthn/server's unwrapEC2Signature over the stand-in", () => {
  const curves = [
    ["P-256", 1, 64],
    ["P-384", 2, 96],
    ["P-521", 3, 132],
  ] as const;
  for (const [namedCurve, crv, size] of curves) {
    it(`turns WebCrypto's own ${namedCurve} signatures, DER-encoded, back into them`, async () => {
      const keys = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve }, false, ["sign", "verify"])) as CryptoKeyPair;
      for (let i = 0; i < 20; i++) {
        const data = crypto.getRandomValues(new Uint8Array(32));
        const raw = new Uint8Array(await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, keys.privateKey, data));
        expect(raw.length).toBe(size);
        const half = size / 2;
        const der = derSignature(toBigInt(raw.slice(0, half).buffer), toBigInt(raw.slice(half).buffer));
        const unwrapped = unwrapEC2Signature(der, crv);
        expect(bytes(unwrapped)).toEqual(bytes(raw));
        expect(await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, keys.publicKey, unwrapped, data)).toBe(true);
      }
    });
  }

  it("goes through our reader (the test alias holds): BER it refuses", () => {
    const body = cat([0x02, 0x01, 0x01, 0x02, 0x01, 0x01]);
    expect(() => unwrapEC2Signature(cat([0x30, 0x81, body.length], body), 1)).toThrow(/not DER: non-minimal length/);
  });
});

describe("the certificate side stays refused", () => {
  it("parses no other schema", () => {
    const der = derSignature(1n, 1n);
    for (const schema of [chains.Certificate, chains.BasicConstraints, chains.ExtendedKeyUsage, chains.SubjectAlternativeName, chains.RSAPublicKey, ecdsa.ECParameters, ecdsa.OctetString, realEcc.ECDSASigValue, Object]) {
      expect(() => ecdsa.AsnParser.parse(der, schema)).toThrow(chains.CertificateChainsUnsupported);
    }
  });

  it("constructs no certificate structure", () => {
    const classes = Object.entries(chains).filter(([name, v]) => typeof v === "function" && name !== "CertificateChainsUnsupported");
    expect(classes.length).toBeGreaterThanOrEqual(13);
    for (const [name, Refused] of classes) {
      expect(() => new (Refused as new () => unknown)(), name).toThrow(/certificate chains are not accepted/);
    }
  });

  it("names the same object identifiers as the real packages", () => {
    const real: Record<string, unknown> = { ...realAndroid, ...realEcc, ...realRsa, ...realX509, ...realPostQuantum };
    const oids = [...Object.entries(chains), ...Object.entries(ecdsa)].filter(([, v]) => typeof v === "string");
    expect(oids.length).toBeGreaterThanOrEqual(20);
    for (const [name, value] of oids) expect(value, name).toBe(real[name]);
  });
});
