import { accountStores, clientInfo, logIn, usersRepo } from "../../http/auth";
import { startContactVerification, verificationPending } from "../../http/contact-verification";
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
import { loginWithPassword } from "../../services/password-login";
import { registerUser } from "../../services/registration";
import { userExists } from "../../services/user-lookup";
import { toUserSchema } from "../../services/users";

export const authRoutes = createRouter();
const tags = ["Storefront: authentication"];

authRoutes.openapi(
  storefrontRoute({
    method: "post",
    path: "/authentication/v1.0/register/form",
    operationId: "registerWithForm",
    tags,
    summary: "Register with a password; which of email and phone are required comes from register_required_fields",
    request: { query: PlatformQuery, body: jsonBody(FormRegisterRequestSchema) },
    responses: ok(RegisterFormSuccess),
  }),
  async (c) => {
    const user = await registerUser(accountStores(c), c.var.application, c.req.valid("json"));
    const verification = await startContactVerification(c, user);
    const pending = verificationPending(verification);
    if (!pending) await logIn(c, user, "register");
    const email = user.emails[0]?.email;
    const phone = user.phones[0];
    return c.json(
      {
        success: true,
        message: pending ? "Verify your contact details to finish" : "Registered",
        ...(email ? { email } : {}),
        ...(phone ? { mobile: phone.phone, country_code: String(phone.countryCode) } : {}),
        user_exists: false,
        ...verification,
      },
      200,
    );
  },
);

authRoutes.openapi(
  storefrontRoute({
    method: "post",
    path: "/authentication/v1.0/login/password",
    operationId: "loginWithEmailAndPassword",
    tags,
    summary: "Log in with email or phone and password; sets the f.session cookie",
    request: { body: jsonBody(PasswordLoginRequestSchema) },
    responses: ok(LoginSuccess),
  }),
  async (c) => {
    const { username, password } = c.req.valid("json");
    const { user } = await loginWithPassword(accountStores(c), c.var.application, { username, password, clientIp: clientInfo(c).ip }, (u) =>
      logIn(c, u, "password"),
    );
    return c.json({ user: toUserSchema(user) }, 200);
  },
);

authRoutes.openapi(
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
