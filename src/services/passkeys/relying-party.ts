import { ApiError } from "../../errors";
import type { PlatformConfig } from "../../schemas/platform-config";

export interface PasskeySettings {
  enabled: boolean;
  /** The WebAuthn RP id: the storefront's registrable domain (e.g. `shop.example.com`); empty: the host of the first allowed origin. */
  rp_id: string;
  /** Shown by the browser and the authenticator; empty: the application's name. */
  rp_name: string;
}

export type PasskeyTenant = {
  id: string;
  config: Pick<PlatformConfig, "name" | "allowed_origins" | "account_lockout"> & { passkeys: PasskeySettings };
};

export interface RelyingParty {
  id: string;
  name: string;
  /** The allowed origins on the RP id (itself or a subdomain): the only ones a ceremony may come from. */
  origins: string[];
}

const hostOf = (origin: string) => new URL(origin).hostname;

/**
 * The application's relying party. The origins a credential may be used from are its CORS
 * `allowed_origins` that lie on the RP id, so a passkey never works from a page the store did not list.
 */
export function relyingParty(app: PasskeyTenant): RelyingParty {
  const { passkeys, allowed_origins: allowed } = app.config;
  if (!passkeys.enabled) throw new ApiError(403, "PASSKEYS_DISABLED", "Passkeys are turned off for this application");
  const id = passkeys.rp_id || (allowed[0] ? hostOf(allowed[0]) : "");
  const origins = allowed.filter((o) => {
    const host = hostOf(o);
    return host === id || host.endsWith(`.${id}`);
  });
  if (!id || origins.length === 0) {
    throw new ApiError(403, "PASSKEYS_NOT_CONFIGURED", "Passkeys need an RP id with at least one allowed origin on it (passkeys.rp_id, allowed_origins)");
  }
  return { id, name: passkeys.rp_name || app.config.name, origins };
}
