import type { z } from "@hono/zod-openapi";
import type { ApplicationsRepo } from "../../db/applications-repo";
import { ApiError, conflict, notFound, validationError } from "../../errors";
import {
  PlatformConfig,
  type PlatformConfigResponse,
  type StorefrontConfigResponse,
} from "../../schemas/platform-config";
import { currentApplication, forgetApplication, type Application } from "./applications";
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

/** The config's entity tag (HTTP ETag): its version, which every save increments. */
export const configTag = (version: number) => `"v${version}"`;

const changedSinceRead = (current: number) =>
  new ApiError(412, "PRECONDITION_FAILED", "The platform config was changed since it was read; read it again and retry", {
    current: configTag(current),
  });

/**
 * Applies an update over the current config; the result is validated whole before anything is written.
 * With `ifMatch` (the tags of an If-Match header) the update applies only to the version those tags name,
 * read from D1 rather than the per-isolate cache: an edit made elsewhere since the caller read the config
 * answers 412 instead of being overwritten. Without it (the Fynd SDK sends none) it merges into the latest.
 */
export async function updatePlatformConfig(
  repo: ApplicationsRepo,
  app: Application,
  update: unknown,
  ifMatch?: string[] | "*",
  now = new Date().toISOString(),
): Promise<void> {
  const guarded = ifMatch !== undefined && ifMatch !== "*";
  const current = guarded ? await currentApplication(repo, app.id) : app;
  if (!current) throw notFound("Application not found");
  if (guarded && !ifMatch.includes(configTag(current.configVersion))) throw changedSinceRead(current.configVersion);
  const merged = PlatformConfig.safeParse(deepMerge(current.config, update));
  if (!merged.success) throw validationError(merged.error, "platform config");
  const config = merged.data;
  const saved = await repo.saveConfig(current.id, current.configVersion, config, [...new Set(config.allowed_origins)], now);
  forgetApplication(current.id);
  if (saved) return;
  if (guarded) throw changedSinceRead((await currentApplication(repo, current.id))?.configVersion ?? current.configVersion);
  throw conflict("The platform config was changed by another request; read it again and retry");
}
