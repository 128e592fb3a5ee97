/**
 * A software WebAuthn authenticator for tests: P-256 keys from WebCrypto, attestation "none",
 * responses shaped exactly as a browser's `PublicKeyCredential.toJSON()`. Every byte a real
 * authenticator would produce (client data, authenticator data, COSE key, CBOR attestation object,
 * DER signature) is built here, so a test can also build the wrong ones a hostile client would send.
 */

const encoder = new TextEncoder();

export const b64url = (bytes: Uint8Array | ArrayBuffer): string => {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let binary = "";
  for (const b of view) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
};

export const fromB64url = (text: string): Uint8Array =>
  Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4)), (c) => c.charCodeAt(0));

const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

const sha256 = async (data: Uint8Array) => new Uint8Array(await crypto.subtle.digest("SHA-256", data));

// --- CBOR (RFC 8949): the subset attestation objects and COSE keys use ---

export type Cbor = number | string | Uint8Array | Map<number | string, Cbor>;

function head(major: number, value: number): Uint8Array {
  const m = major << 5;
  if (value < 24) return Uint8Array.of(m | value);
  if (value < 0x100) return Uint8Array.of(m | 24, value);
  if (value < 0x10000) return Uint8Array.of(m | 25, value >> 8, value & 0xff);
  return Uint8Array.of(m | 26, (value >>> 24) & 0xff, (value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff);
}

export function cbor(value: Cbor): Uint8Array {
  if (typeof value === "number") return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === "string") {
    const bytes = encoder.encode(value);
    return concat(head(3, bytes.length), bytes);
  }
  if (value instanceof Uint8Array) return concat(head(2, value.length), value);
  const parts = [head(5, value.size)];
  for (const [k, v] of value) parts.push(cbor(k), cbor(v));
  return concat(...parts);
}

// --- the authenticator ---

export const FLAGS = { UP: 0x01, UV: 0x04, BE: 0x08, BS: 0x10, AT: 0x40 } as const;

interface Credential {
  id: Uint8Array;
  keys: CryptoKeyPair;
  rpId: string;
  userHandle: string;
  counter: number;
}

export interface CreationOptions {
  challenge: string;
  rp: { id?: string; name: string };
  user: { id: string; name: string; displayName: string };
}

export interface RequestOptions {
  challenge: string;
  rpId?: string;
  allowCredentials?: { id: string }[];
}

/** What a test may change in a response, to play a hostile or broken client. */
export interface Tamper {
  origin?: string;
  rpId?: string;
  type?: string;
  challenge?: string;
  flags?: number;
  /** The signature counter to report (default: one more than last time). */
  counter?: number;
  fmt?: string;
  attStmt?: Map<number | string, Cbor>;
  crossOrigin?: boolean;
  /** register(): answer with this existing credential (its id and key) instead of a new one. */
  reuse?: number;
}

function ecdsaRawToDer(raw: Uint8Array): Uint8Array {
  const int = (bytes: Uint8Array) => {
    let i = 0;
    while (i < bytes.length - 1 && bytes[i] === 0) i++;
    let v: Uint8Array = bytes.slice(i);
    if (v[0]! & 0x80) v = concat(Uint8Array.of(0), v);
    return concat(Uint8Array.of(0x02, v.length), v);
  };
  const body = concat(int(raw.slice(0, 32)), int(raw.slice(32)));
  return concat(Uint8Array.of(0x30, body.length), body);
}

async function coseKey(publicKey: CryptoKey): Promise<Uint8Array> {
  const raw = new Uint8Array((await crypto.subtle.exportKey("raw", publicKey)) as ArrayBuffer);
  // kty EC2, alg ES256, crv P-256, x, y
  return cbor(new Map<number, Cbor>([[1, 2], [3, -7], [-1, 1], [-2, raw.slice(1, 33)], [-3, raw.slice(33, 65)]]));
}

export class SoftwareAuthenticator {
  readonly credentials: Credential[] = [];
  readonly aaguid = new Uint8Array(16);

  constructor(readonly origin: string) {}

  /** A second authenticator holding the same keys and counters: what cloning a security key gives. */
  clone(): SoftwareAuthenticator {
    const twin = new SoftwareAuthenticator(this.origin);
    for (const c of this.credentials) twin.credentials.push({ ...c });
    return twin;
  }

  /** navigator.credentials.create(): a new resident P-256 credential, attestation "none". */
  async register(options: CreationOptions, tamper: Tamper = {}) {
    const rpId = tamper.rpId ?? options.rp.id ?? new URL(this.origin).hostname;
    const reused = tamper.reuse === undefined ? undefined : this.credentials[tamper.reuse];
    const keys = reused?.keys ?? ((await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"])) as CryptoKeyPair);
    const id = reused?.id ?? crypto.getRandomValues(new Uint8Array(32));
    const credential: Credential = { id, keys, rpId, userHandle: options.user.id, counter: tamper.counter ?? 0 };
    const clientDataJSON = this.clientData(tamper.type ?? "webauthn.create", tamper.challenge ?? options.challenge, tamper);
    const authData = concat(
      await sha256(encoder.encode(rpId)),
      Uint8Array.of(tamper.flags ?? FLAGS.UP | FLAGS.UV | FLAGS.BE | FLAGS.BS | FLAGS.AT),
      this.counterBytes(credential.counter),
      this.aaguid,
      Uint8Array.of(id.length >> 8, id.length & 0xff),
      id,
      await coseKey(keys.publicKey),
    );
    const attestationObject = cbor(
      new Map<string, Cbor>([["fmt", tamper.fmt ?? "none"], ["attStmt", tamper.attStmt ?? new Map()], ["authData", authData]]),
    );
    if (!reused) this.credentials.push(credential);
    return {
      id: b64url(id),
      rawId: b64url(id),
      type: "public-key",
      response: { clientDataJSON: b64url(clientDataJSON), attestationObject: b64url(attestationObject), transports: ["internal"] },
      clientExtensionResults: {},
      authenticatorAttachment: "platform",
    };
  }

  /** navigator.credentials.get(): an assertion by the credential the options allow (or the newest one, discoverable). */
  async assert(options: RequestOptions, tamper: Tamper & { credentialId?: string } = {}) {
    const allowed = options.allowCredentials?.map((c) => c.id) ?? [];
    const credential = tamper.credentialId
      ? this.credentials.find((c) => b64url(c.id) === tamper.credentialId)
      : [...this.credentials].reverse().find((c) => allowed.length === 0 || allowed.includes(b64url(c.id)));
    if (!credential) throw new Error("no matching credential on this authenticator");
    credential.counter = tamper.counter ?? credential.counter + 1;
    const clientDataJSON = this.clientData(tamper.type ?? "webauthn.get", tamper.challenge ?? options.challenge, tamper);
    const authenticatorData = concat(
      await sha256(encoder.encode(tamper.rpId ?? credential.rpId)),
      Uint8Array.of(tamper.flags ?? FLAGS.UP | FLAGS.UV | FLAGS.BE | FLAGS.BS),
      this.counterBytes(credential.counter),
    );
    const signed = concat(authenticatorData, await sha256(clientDataJSON));
    const raw = new Uint8Array(await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, credential.keys.privateKey, signed));
    return {
      id: b64url(credential.id),
      rawId: b64url(credential.id),
      type: "public-key",
      response: {
        clientDataJSON: b64url(clientDataJSON),
        authenticatorData: b64url(authenticatorData),
        signature: b64url(ecdsaRawToDer(raw)),
        userHandle: credential.userHandle,
      },
      clientExtensionResults: {},
      authenticatorAttachment: "platform",
    };
  }

  private clientData(type: string, challenge: string, tamper: Tamper): Uint8Array {
    return encoder.encode(JSON.stringify({ type, challenge, origin: tamper.origin ?? this.origin, crossOrigin: tamper.crossOrigin ?? false }));
  }

  private counterBytes(counter: number): Uint8Array {
    return Uint8Array.of((counter >>> 24) & 0xff, (counter >> 16) & 0xff, (counter >> 8) & 0xff, counter & 0xff);
  }
}

/** A copy of a response with one base64url field of `response` changed by `edit` (flip a byte, cut it short...). */
export function tamperField<T extends { response: Record<string, unknown> }>(res: T, field: string, edit: (bytes: Uint8Array) => Uint8Array): T {
  const bytes = fromB64url(res.response[field] as string);
  return { ...res, response: { ...res.response, [field]: b64url(edit(bytes.slice())) } };
}

/** Flips one bit at `index` (negative: from the end). */
export const flipByte = (index: number) => (bytes: Uint8Array) => {
  const i = index < 0 ? bytes.length + index : index;
  bytes[i] = bytes[i]! ^ 0x01;
  return bytes;
};
