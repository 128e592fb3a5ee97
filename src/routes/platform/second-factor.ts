import { platformActor } from "../../http/platform-caller";
import { sessionDeps } from "../../wiring/accounts";
import { createRouter, ok, platformRoute, PlatformParams } from "../../http/openapi";
import { z } from "@hono/zod-openapi";
import { UserIdParams } from "../../schemas/customers";
import { Done, PasskeyIdParams, PasskeyList } from "../../schemas/passkeys";
import { customerPasskeys, removeCustomerPasskey, resetCustomerSecondFactor } from "../../services/mfa/admin";
import { passkeyDeps, secondFactorDeps } from "../../wiring/factors";

const tags = ["Platform: passkeys and two-factor authentication (extension)"];
const CustomerParams = PlatformParams.extend(UserIdParams.shape);

const ResetResult = z
  .object({ success: z.boolean(), had_totp: z.boolean(), sessions_ended: z.number().int() })
  .openapi("SecondFactorResetResult");

export const secondFactorAdminRoutes = createRouter()
  .openapi(
    platformRoute({
      method: "get",
      path: "/customers/{user_id}/passkeys",
      operationId: "getCustomerPasskeys",
      tags,
      summary: "Extension: a customer's passkeys",
      request: { params: CustomerParams },
      responses: ok(PasskeyList),
    }),
    async (c) => c.json({ items: await customerPasskeys(passkeyDeps(c), c.var.application.id, c.req.valid("param").user_id) }, 200),
  )
  .openapi(
    platformRoute({
      method: "delete",
      path: "/customers/{user_id}/passkeys/{passkey_id}",
      operationId: "deleteCustomerPasskey",
      tags,
      summary: "Extension: remove one of a customer's passkeys (on their timeline)",
      request: { params: CustomerParams.extend(PasskeyIdParams.shape) },
      responses: ok(Done),
    }),
    async (c) => {
      const { user_id, passkey_id } = c.req.valid("param");
      await removeCustomerPasskey(passkeyDeps(c), c.var.application.id, user_id, passkey_id, platformActor(c));
      return c.json({ success: true }, 200);
    },
  )
  .openapi(
    platformRoute({
      method: "post",
      path: "/customers/{user_id}/mfa/reset",
      operationId: "resetCustomerSecondFactor",
      tags,
      summary: "Extension: remove a customer's TOTP second factor and recovery codes and end all their sessions (on their timeline)",
      request: { params: CustomerParams },
      responses: ok(ResetResult),
    }),
    async (c) => {
      const stores = { ...secondFactorDeps(c), sessions: sessionDeps(c) };
      return c.json(await resetCustomerSecondFactor(stores, c.var.application, c.req.valid("param").user_id, platformActor(c)), 200);
    },
  );
