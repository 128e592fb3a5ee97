import { fromBase64Url, randomBytes, toBase64Url } from "./tokens";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const VERSION = "v1";
const SALT = encoder.encode("user-edge/attribute-values");

/**
 * AES-256-GCM for encrypted customer attributes. Each application gets its own key, derived with
 * HKDF from the ATTRIBUTE_ENCRYPTION_KEY secret, and every ciphertext is bound (as associated data)
 * to its attribute and user, so a ciphertext copied onto another row does not decrypt.
 */
export class AttributeCipher {
  private readonly keys = new Map<string, Promise<CryptoKey>>();

  constructor(private readonly secret: string) {}

  private key(applicationId: string): Promise<CryptoKey> {
    let key = this.keys.get(applicationId);
    if (!key) {
      key = (async () => {
        const material = await crypto.subtle.importKey("raw", encoder.encode(this.secret), "HKDF", false, ["deriveKey"]);
        return crypto.subtle.deriveKey(
          { name: "HKDF", hash: "SHA-256", salt: SALT, info: encoder.encode(applicationId) },
          material,
          { name: "AES-GCM", length: 256 },
          false,
          ["encrypt", "decrypt"],
        );
      })();
      this.keys.set(applicationId, key);
    }
    return key;
  }

  async encrypt(applicationId: string, binding: string, plaintext: string): Promise<string> {
    const iv = randomBytes(12);
    const sealed = await crypto.subtle.encrypt(
      { name: "AES-GCM", iv, additionalData: encoder.encode(binding) },
      await this.key(applicationId),
      encoder.encode(plaintext),
    );
    return `${VERSION}.${toBase64Url(iv)}.${toBase64Url(sealed)}`;
  }

  async decrypt(applicationId: string, binding: string, ciphertext: string): Promise<string> {
    const [version, iv, sealed] = ciphertext.split(".");
    if (version !== VERSION || !iv || !sealed) throw new Error("Unknown attribute ciphertext format");
    const opened = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: fromBase64Url(iv), additionalData: encoder.encode(binding) },
      await this.key(applicationId),
      fromBase64Url(sealed),
    );
    return decoder.decode(opened);
  }
}

const ciphers = new Map<string, AttributeCipher>();

/** One cipher (and key cache) per secret per isolate. */
export function attributeCipher(secret: string): AttributeCipher {
  let cipher = ciphers.get(secret);
  if (!cipher) {
    cipher = new AttributeCipher(secret);
    ciphers.set(secret, cipher);
  }
  return cipher;
}
