import type { AppContext } from "./context";

/** The audit actor of a platform request. */
export const platformActor = (c: AppContext) => `platform:${c.var.platformCaller.clientId}`;

/** Who is calling and where links to their files point: what group and job services need. */
export function platformCaller(c: AppContext) {
  return {
    applicationId: c.var.application.id,
    companyId: c.var.application.companyId,
    clientId: c.var.platformCaller.clientId,
    actor: platformActor(c),
    baseUrl: new URL(c.req.url).origin,
  };
}
