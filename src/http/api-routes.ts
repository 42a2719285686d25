import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Config } from '../config.js';
import type { Db } from '../store/schema/index.js';
import type { AppEnv } from './app-env.js';

export interface ApiRoutesDeps {
  db: Db;
  config: Config;
}

/**
 * The resource modules `batchkeeper serve` mounts beside the operational
 * routes. A module joins by adding its line here.
 */
export function apiRoutes(_deps: ApiRoutesDeps): OpenAPIHono<AppEnv>[] {
  return [
    // jobsRoutes({ manager }): /v1/jobs..., /v1/stats; lands with BatchJobManager.
    // webhooksRoutes({ db, allowList }): /v1/webhooks...; lands with src/http/webhooks.routes.ts.
  ];
}
