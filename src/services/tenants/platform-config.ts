import type { z } from "@hono/zod-openapi";
import type { ApplicationsRepo } from "../../db/applications-repo";
import { conflict, validationError } from "../../errors";
import {
  PlatformConfig,
  type PlatformConfigResponse,
  type StorefrontConfigResponse,
} from "../../schemas/platform-config";
import { forgetApplication, type Application } from "./applications";
import { deepMerge } from "./deep-merge";

type PlatformView = z.output<typeof PlatformConfigResponse>;
type StorefrontView = z.output<typeof StorefrontConfigResponse>;

function serverFields(app: Application) {
  return { _id: app.id, created_at: app.createdAt, updated_at: app.updatedAt, __v: app.configVersion };
}

/** The seller's view: everything, secrets included (platform API only). */
export function platformView(app: Application): PlatformView {
  return { ...app.config, ...serverFields(app) };
}

/** The storefront's view: public settings only; social secrets and internal policy are never exposed. */
export function storefrontView(app: Application): StorefrontView {
  const { social_tokens, account_lockout: _lockout, allowed_origins: _origins, otp: _otp, token_login: _tokenLogin, ...rest } = app.config;
  return {
    ...rest,
    social_tokens: {
      google: { app_id: social_tokens.google.app_id },
      facebook: { app_id: social_tokens.facebook.app_id },
      accountkit: { app_id: social_tokens.account_kit.app_id },
      apple: { app_id: social_tokens.apple.app_id, redirect_uri: social_tokens.apple.redirect_uri },
    },
    ...serverFields(app),
  };
}

/** Applies an update over the current config; the result is validated whole before anything is written. */
export async function updatePlatformConfig(
  repo: ApplicationsRepo,
  app: Application,
  update: unknown,
  now = new Date().toISOString(),
): Promise<void> {
  const merged = PlatformConfig.safeParse(deepMerge(app.config, update));
  if (!merged.success) throw validationError(merged.error, "platform config");
  const config = merged.data;
  const saved = await repo.saveConfig(app.id, app.configVersion, config, [...new Set(config.allowed_origins)], now);
  forgetApplication(app.id);
  if (!saved) throw conflict("The platform config was changed by another request; read it again and retry");
}
