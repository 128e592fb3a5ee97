import { z } from "@hono/zod-openapi";

const b64url = (max: number) => z.string().min(1).max(max).regex(/^[A-Za-z0-9_-]+$/, "must be base64url");
const transports = z.array(z.enum(["ble", "cable", "hybrid", "internal", "nfc", "smart-card", "usb"])).max(8);

/** A `PublicKeyCredential.toJSON()` (WebAuthn Level 3) with the given `response` part. */
const publicKeyCredential = <T extends z.ZodRawShape>(response: T) =>
  z.object({
    id: b64url(1366),
    rawId: b64url(1366),
    type: z.literal("public-key"),
    response: z.object(response),
    clientExtensionResults: z.record(z.string(), z.unknown()),
    authenticatorAttachment: z.enum(["platform", "cross-platform"]).optional(),
  });

export const RegistrationResponse = publicKeyCredential({
  clientDataJSON: b64url(4096),
  attestationObject: b64url(16_384),
  transports: transports.optional(),
  authenticatorData: b64url(8192).optional(),
  publicKeyAlgorithm: z.number().int().optional(),
  publicKey: b64url(4096).optional(),
}).openapi("PasskeyRegistrationResponse", { description: "The browser's PublicKeyCredential.toJSON() after navigator.credentials.create()" });

export const AuthenticationResponse = publicKeyCredential({
  clientDataJSON: b64url(4096),
  authenticatorData: b64url(8192),
  signature: b64url(2048),
  userHandle: b64url(128).optional(),
}).openapi("PasskeyAuthenticationResponse", { description: "The browser's PublicKeyCredential.toJSON() after navigator.credentials.get()" });

export type RegistrationResponse = z.infer<typeof RegistrationResponse>;
export type AuthenticationResponse = z.infer<typeof AuthenticationResponse>;

export const PasskeyName = z.string().trim().min(1).max(64);

export const AddPasskeyRequest = z.object({ response: RegistrationResponse, name: PasskeyName.optional() });
export const RenamePasskeyRequest = z.object({ name: PasskeyName });
export const PasskeySignInOptionsRequest = z.object({
  username: z.string().trim().min(1).max(320).optional().openapi({ description: "Email or phone: offer only that account's passkeys; omit for discoverable credentials (conditional UI)" }),
});
export const PasskeySignInRequest = z.object({ response: AuthenticationResponse });
export const PasskeyIdParams = z.object({
  passkey_id: z.string().regex(/^[0-9a-f]{24}$/, "must be a passkey id").openapi({ param: { name: "passkey_id", in: "path" } }),
});

/** Options for navigator.credentials.create()/get(), after PublicKeyCredential.parseCreationOptionsFromJSON / parseRequestOptionsFromJSON. */
export const CredentialOptions = z
  .object({ options: z.record(z.string(), z.unknown()).openapi({ description: "PublicKeyCredentialCreationOptionsJSON or PublicKeyCredentialRequestOptionsJSON; its challenge expires in 5 minutes and works once" }) })
  .openapi("PasskeyOptions");

export const PasskeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    credential_id: z.string(),
    transports: z.array(z.string()),
    device_type: z.string().openapi({ description: "`singleDevice`, or `multiDevice` for a synced passkey" }),
    backed_up: z.boolean(),
    aaguid: z.string(),
    created_at: z.string(),
    last_used_at: z.string().nullable(),
  })
  .openapi("Passkey");

export const PasskeyList = z.object({ items: z.array(PasskeySchema) }).openapi("PasskeyList");
export const PasskeyResult = z.object({ passkey: PasskeySchema });
export const Done = z.object({ success: z.boolean() });
