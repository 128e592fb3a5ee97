import { ApplicationsRepo, type ApplicationRow } from "../../db/applications-repo";
import { DEFAULT_PLATFORM_CONFIG, PlatformConfig } from "../../schemas/platform-config";
import { deepMerge } from "./deep-merge";

/** A resolved tenant: the application with its parsed config. */
export interface Application {
  id: string;
  companyId: string;
  name: string;
  tokenHash: string;
  config: PlatformConfig;
  configVersion: number;
  createdAt: string;
  updatedAt: string;
}

/**
 * Parses the stored config over the defaults, so fields introduced after the row was written
 * get their default instead of failing validation.
 */
export function toApplication(row: ApplicationRow): Application {
  const config = PlatformConfig.parse(deepMerge(DEFAULT_PLATFORM_CONFIG, row.config));
  return {
    id: row.id,
    companyId: row.companyId,
    name: row.name,
    tokenHash: row.tokenHash,
    config,
    configVersion: row.configVersion,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

const CACHE_TTL_MS = 5_000;
const cache = new Map<string, { app: Application | undefined; expiresAt: number }>();

/**
 * Every storefront and platform request resolves its application; a short per-isolate cache keeps
 * that off D1 on the hot path. Writes in this isolate invalidate at once; other isolates see a
 * change within CACHE_TTL_MS.
 */
export async function findApplication(repo: ApplicationsRepo, id: string): Promise<Application | undefined> {
  const now = Date.now();
  const hit = cache.get(id);
  if (hit && hit.expiresAt > now) return hit.app;
  const row = await repo.findApplication(id);
  const app = row ? toApplication(row) : undefined;
  if (cache.size > 10_000) cache.clear();
  cache.set(id, { app, expiresAt: now + CACHE_TTL_MS });
  return app;
}

/** The application as stored now, not as cached (the cache is refreshed with it): for reads that must not be stale. */
export function currentApplication(repo: ApplicationsRepo, id: string): Promise<Application | undefined> {
  cache.delete(id);
  return findApplication(repo, id);
}

export function forgetApplication(id: string): void {
  cache.delete(id);
}
