import { clientInfo, logIn, requireUser } from "../../http/auth";
import { createRouter, jsonBody, ok, storefrontRoute } from "../../http/openapi";
import { LoginSuccess } from "../../schemas/auth";
import {
  AddPasskeyRequest,
  CredentialOptions,
  Done,
  PasskeyIdParams,
  PasskeyList,
  PasskeyResult,
  PasskeySignInOptionsRequest,
  PasskeySignInRequest,
  RenamePasskeyRequest,
} from "../../schemas/passkeys";
import {
  beginPasskeyRegistration,
  beginPasskeySignIn,
  finishPasskeyRegistration,
  finishPasskeySignIn,
  listPasskeys,
  removePasskey,
  renamePasskey,
  toPasskeySchema,
} from "../../services/passkeys/passkeys";
import { toUserSchema } from "../../services/accounts/users";
import { passkeyDeps } from "../../wiring/factors";

const tags = ["Storefront: passkeys (extension)"];

export const passkeyRoutes = createRouter()
  .openapi(
    storefrontRoute({
      method: "post",
      path: "/authentication/v1.0/login/passkey/options",
      operationId: "passkeySignInOptions",
      tags,
      summary:
        "Extension: options for navigator.credentials.get(). Without username: discoverable credentials (conditional UI, mediation: \"conditional\"); " +
        "with one: only that account's passkeys",
      request: { body: jsonBody(PasskeySignInOptionsRequest) },
      responses: ok(CredentialOptions),
    }),
    async (c) => c.json({ options: await beginPasskeySignIn(passkeyDeps(c), c.var.application, c.req.valid("json").username) }, 200),
  )
  .openapi(
    storefrontRoute({
      method: "post",
      path: "/authentication/v1.0/login/passkey",
      operationId: "loginWithPasskey",
      tags,
      summary:
        "Extension: sign in with a passkey (the assertion for options from passkeySignInOptions); sets the f.session cookie like a password login. " +
        "Counts as two factors (user verification required)",
      request: { body: jsonBody(PasskeySignInRequest) },
      responses: ok(LoginSuccess),
    }),
    async (c) => {
      const user = await finishPasskeySignIn(passkeyDeps(c), c.var.application, c.req.valid("json").response, clientInfo(c).ip);
      await logIn(c, user, "passkey");
      return c.json({ user: toUserSchema(user) }, 200);
    },
  )
  .openapi(
    storefrontRoute({
      method: "post",
      path: "/profile/v1.0/passkeys/options",
      operationId: "passkeyRegistrationOptions",
      tags,
      summary: "Extension: options for navigator.credentials.create() to add a passkey to the logged-in account (challenge bound to this session, 5 minutes)",
      withSession: true,
      middleware: [requireUser] as const,
      responses: ok(CredentialOptions),
    }),
    async (c) =>
      c.json({ options: await beginPasskeyRegistration(passkeyDeps(c), c.var.application, c.var.user, c.var.session.sessionId) }, 200),
  )
  .openapi(
    storefrontRoute({
      method: "post",
      path: "/profile/v1.0/passkeys",
      operationId: "addPasskey",
      tags,
      summary: "Extension: add a passkey (the attestation for options from passkeyRegistrationOptions, in the same session)",
      withSession: true,
      middleware: [requireUser] as const,
      request: { body: jsonBody(AddPasskeyRequest) },
      responses: ok(PasskeyResult),
    }),
    async (c) => {
      const row = await finishPasskeyRegistration(passkeyDeps(c), c.var.application, c.var.user, c.var.session.sessionId, c.req.valid("json"));
      return c.json({ passkey: toPasskeySchema(row) }, 200);
    },
  )
  .openapi(
    storefrontRoute({
      method: "get",
      path: "/profile/v1.0/passkeys",
      operationId: "listPasskeys",
      tags,
      summary: "Extension: the logged-in user's passkeys",
      withSession: true,
      middleware: [requireUser] as const,
      responses: ok(PasskeyList),
    }),
    async (c) => c.json({ items: await listPasskeys(passkeyDeps(c), c.var.application.id, c.var.user.user.id) }, 200),
  )
  .openapi(
    storefrontRoute({
      method: "put",
      path: "/profile/v1.0/passkeys/{passkey_id}",
      operationId: "renamePasskey",
      tags,
      summary: "Extension: rename one of the logged-in user's passkeys",
      withSession: true,
      middleware: [requireUser] as const,
      request: { params: PasskeyIdParams, body: jsonBody(RenamePasskeyRequest) },
      responses: ok(PasskeyResult),
    }),
    async (c) => {
      const passkey = await renamePasskey(passkeyDeps(c), c.var.application.id, c.var.user.user.id, c.req.valid("param").passkey_id, c.req.valid("json").name);
      return c.json({ passkey }, 200);
    },
  )
  .openapi(
    storefrontRoute({
      method: "delete",
      path: "/profile/v1.0/passkeys/{passkey_id}",
      operationId: "deletePasskey",
      tags,
      summary: "Extension: remove one of the logged-in user's passkeys",
      withSession: true,
      middleware: [requireUser] as const,
      request: { params: PasskeyIdParams },
      responses: ok(Done),
    }),
    async (c) => {
      await removePasskey(passkeyDeps(c), c.var.application.id, c.var.user.user.id, c.req.valid("param").passkey_id, "user");
      return c.json({ success: true }, 200);
    },
  );
