import { clientInfo, requireUser } from "../../http/auth";
import { createRouter, jsonBody, ok, storefrontRoute } from "../../http/openapi";
import { profileDeps } from "../../wiring/profile";
import { LoginSuccess, PlatformQuery } from "../../schemas/auth";
import {
  DeleteEmailQuery,
  DeleteMobileQuery,
  EditEmailRequest,
  EditMobileRequest,
  SendEmailVerifyLinkSuccess,
  SendMobileVerifyLinkSuccess,
  SendVerificationLinkMobileRequest,
  VerifyEmailOTPSuccess,
  VerifyMobileOTPSuccess,
} from "../../schemas/profile";
import { emailDestination, mobileDestination } from "../../services/codes/destinations";
import { addContact, makePrimary, removeContact } from "../../services/profile/contacts";
import { sendVerificationLink } from "../../services/profile/verify-contact";
import { toUserSchema } from "../../services/accounts/users";

/** The v1 contact list operations (§2.6): add, remove, make primary, send a verification link. */
const tags = ["Storefront: profile contacts"];

export const profileContactRoutes = createRouter()
  .openapi(
    storefrontRoute({
      method: "put",
      path: "/profile/v1.0/email",
      operationId: "addEmail",
      tags,
      summary: "Add an email (unverified) and send it a verification link",
      withSession: true,
      middleware: [requireUser] as const,
      request: { query: PlatformQuery, body: jsonBody(EditEmailRequest) },
      responses: ok(VerifyEmailOTPSuccess),
    }),
    async (c) => {
      const destination = emailDestination(c.req.valid("json").email);
      const { user, linkSent } = await addContact(profileDeps(c), c.var.application, { user: c.var.user, destination, ip: clientInfo(c).ip });
      return c.json({ user: toUserSchema(user), verify_email_link: linkSent }, 200);
    },
  )
  .openapi(
    storefrontRoute({
      method: "put",
      path: "/profile/v1.0/mobile",
      operationId: "addMobileNumber",
      tags,
      summary: "Add a mobile number (unverified) and send it a verification link",
      withSession: true,
      middleware: [requireUser] as const,
      request: { query: PlatformQuery, body: jsonBody(EditMobileRequest) },
      responses: ok(VerifyMobileOTPSuccess),
    }),
    async (c) => {
      const body = c.req.valid("json");
      const destination = mobileDestination(body.phone, body.country_code);
      const { user, linkSent } = await addContact(profileDeps(c), c.var.application, { user: c.var.user, destination, ip: clientInfo(c).ip });
      return c.json({ user: toUserSchema(user), verify_mobile_link: linkSent }, 200);
    },
  )
  .openapi(
    storefrontRoute({
      method: "delete",
      path: "/profile/v1.0/email",
      operationId: "deleteEmail",
      tags,
      summary: "Remove an email named exactly (address and flags); never the primary or the last verified contact",
      withSession: true,
      middleware: [requireUser] as const,
      request: { query: DeleteEmailQuery },
      responses: ok(LoginSuccess),
    }),
    async (c) => {
      const { email, active, primary, verified } = c.req.valid("query");
      const user = await removeContact(profileDeps(c), c.var.application, {
        user: c.var.user,
        destination: emailDestination(email),
        flags: { active, primary, verified },
      });
      return c.json({ user: toUserSchema(user) }, 200);
    },
  )
  .openapi(
    storefrontRoute({
      method: "delete",
      path: "/profile/v1.0/mobile",
      operationId: "deleteMobileNumber",
      tags,
      summary: "Remove a mobile number named exactly (number and flags); never the primary or the last verified contact",
      withSession: true,
      middleware: [requireUser] as const,
      request: { query: DeleteMobileQuery },
      responses: ok(LoginSuccess),
    }),
    async (c) => {
      const { phone, country_code, active, primary, verified } = c.req.valid("query");
      const user = await removeContact(profileDeps(c), c.var.application, {
        user: c.var.user,
        destination: mobileDestination(phone, country_code),
        flags: { active, primary, verified },
      });
      return c.json({ user: toUserSchema(user) }, 200);
    },
  )
  .openapi(
    storefrontRoute({
      method: "post",
      path: "/profile/v1.0/email/primary",
      operationId: "setEmailAsPrimary",
      tags,
      summary: "Make a verified email of the account its primary email",
      withSession: true,
      middleware: [requireUser] as const,
      request: { body: jsonBody(EditEmailRequest) },
      responses: ok(LoginSuccess),
    }),
    async (c) => {
      const destination = emailDestination(c.req.valid("json").email);
      const user = await makePrimary(profileDeps(c), c.var.application, { user: c.var.user, destination, loggedInAt: c.var.session.record.createdAt });
      return c.json({ user: toUserSchema(user) }, 200);
    },
  )
  .openapi(
    storefrontRoute({
      method: "post",
      path: "/profile/v1.0/mobile/primary",
      operationId: "setMobileNumberAsPrimary",
      tags,
      summary: "Make a verified mobile number of the account its primary number",
      withSession: true,
      middleware: [requireUser] as const,
      request: { body: jsonBody(SendVerificationLinkMobileRequest) },
      responses: ok(LoginSuccess),
    }),
    async (c) => {
      const body = c.req.valid("json");
      const destination = mobileDestination(body.phone, body.country_code);
      const user = await makePrimary(profileDeps(c), c.var.application, { user: c.var.user, destination, loggedInAt: c.var.session.record.createdAt });
      return c.json({ user: toUserSchema(user) }, 200);
    },
  )
  .openapi(
    storefrontRoute({
      method: "post",
      path: "/profile/v1.0/email/link/send",
      operationId: "sendVerificationLinkToEmail",
      tags,
      summary: "Send a verification link to an unverified email of the account",
      withSession: true,
      middleware: [requireUser] as const,
      request: { query: PlatformQuery, body: jsonBody(EditEmailRequest) },
      responses: ok(SendEmailVerifyLinkSuccess),
    }),
    async (c) => {
      const destination = emailDestination(c.req.valid("json").email);
      const sent = await sendVerificationLink(profileDeps(c), c.var.application, { user: c.var.user, destination, ip: clientInfo(c).ip });
      return c.json({ verify_email_link: sent }, 200);
    },
  )
  .openapi(
    storefrontRoute({
      method: "post",
      path: "/profile/v1.0/mobile/link/send",
      operationId: "sendVerificationLinkToMobile",
      tags,
      summary: "Send a verification link to an unverified mobile number of the account",
      withSession: true,
      middleware: [requireUser] as const,
      request: { query: PlatformQuery, body: jsonBody(SendVerificationLinkMobileRequest) },
      responses: ok(SendMobileVerifyLinkSuccess),
    }),
    async (c) => {
      const body = c.req.valid("json");
      const destination = mobileDestination(body.phone, body.country_code);
      const sent = await sendVerificationLink(profileDeps(c), c.var.application, { user: c.var.user, destination, ip: clientInfo(c).ip });
      return c.json({ verify_mobile_link: sent }, 200);
    },
  );
