import { clientInfo, logIn } from "../../http/auth";
import { accountDeps, registrationDeps, usersRepo } from "../../wiring/accounts";
import { decoyVerification } from "../../services/registration/verification";
import { requireProvenContact, startContactVerification, verificationPending } from "./registration-gate";
import { createRouter, jsonBody, ok, storefrontRoute } from "../../http/openapi";
import {
  FormRegisterRequestSchema,
  LoginSuccess,
  PasswordLoginRequestSchema,
  PlatformQuery,
  RegisterFormSuccess,
  UserExistsDetails,
  UserExistsQuery,
} from "../../schemas/auth";
import { loginWithPassword } from "../../services/login/password";
import { registerUser } from "../../services/registration/register";
import { userExists } from "../../services/accounts/lookup";
import { toUserSchema } from "../../services/accounts/users";

const tags = ["Storefront: authentication"];

export const authRoutes = createRouter()
  .openapi(
    storefrontRoute({
      method: "post",
      path: "/authentication/v1.0/register/form",
      operationId: "registerWithForm",
      tags,
      summary:
        "Register; register_required_fields says which of email and phone are required and which must be verified (level hard) before the first login: " +
        "then OTPs are sent and the answer carries a register_token for verifyEmailOTP / verifyMobileOTP instead of a session",
      request: { query: PlatformQuery, body: jsonBody(FormRegisterRequestSchema) },
      responses: ok(RegisterFormSuccess),
    }),
    async (c) => {
      const app = c.var.application;
      const deps = registrationDeps(c);
      const registered = await registerUser(deps, app, { ...c.req.valid("json"), ip: clientInfo(c).ip }, (u) => startContactVerification(c, u));
      // A taken contact answers like a new one (its owner got a notice): registration tells no one who has an account.
      const verification = registered.user ? registered.started : await decoyVerification(deps.notifier, app.config, registered);
      const pending = verificationPending(verification);
      if (registered.user && !pending) await logIn(c, registered.user, "register");
      const { email, phone } = registered.user ? { email: registered.user.emails[0]?.email, phone: registered.user.phones[0] } : registered.given;
      return c.json(
        {
          success: true,
          message: pending ? "Registered: enter the code we sent to finish" : "Registered",
          ...(email ? { email } : {}),
          ...(phone ? { mobile: phone.phone, country_code: String(phone.countryCode) } : {}),
          user_exists: false,
          ...verification,
        },
        200,
      );
    },
  )
  .openapi(
    storefrontRoute({
      method: "post",
      path: "/authentication/v1.0/login/password",
      operationId: "loginWithEmailAndPassword",
      tags,
      summary:
        "Log in with email or phone and password; sets the f.session cookie. An account that has not verified any contact the application " +
        "requires is refused with 403 VERIFICATION_REQUIRED (info: a register_token to ask for a code with sendOTPOnEmail / sendOTPOnMobile)",
      request: { body: jsonBody(PasswordLoginRequestSchema) },
      responses: ok(LoginSuccess),
    }),
    async (c) => {
      const { username, password } = c.req.valid("json");
      const { user } = await loginWithPassword(accountDeps(c), c.var.application, { username, password, clientIp: clientInfo(c).ip }, async (u) => {
        await requireProvenContact(c, u);
        return logIn(c, u, "password");
      });
      return c.json({ user: toUserSchema(user) }, 200);
    },
  )
  .openapi(
    storefrontRoute({
      method: "get",
      path: "/authentication/v1.0/user-exists",
      operationId: "userExists",
      tags,
      summary: "Whether an email or phone has an account (an application can switch this off: user_exists_lookup)",
      request: { query: UserExistsQuery },
      responses: ok(UserExistsDetails),
    }),
    async (c) => c.json({ user_exists: await userExists(usersRepo(c), c.var.application, c.req.valid("query").q) }, 200),
  );
