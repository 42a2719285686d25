import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Config } from '../config.js';
import type { BatchJobManager } from '../manager/batch-job-manager.js';
import type { Db } from '../store/schema/index.js';
import type { AppEnv } from './app-env.js';
import { eventsFeedRoutes } from './events-feed.routes.js';
import { jobsApi } from './jobs-api.js';
import { webhooksRoutes } from './webhooks.routes.js';

export interface ApiRoutesDeps {
  db: Db;
  config: Config;
  /** The jobs the `/v1/jobs...` and `/v1/stats` routes act on. */
  manager: BatchJobManager;
}

/**
 * The resource modules `batchkeeper serve` mounts beside the operational
 * routes. A module joins by adding its line here.
 */
export function apiRoutes(deps: ApiRoutesDeps): OpenAPIHono<AppEnv>[] {
  return [
    ...jobsApi({ manager: deps.manager }),
    // The manager's webhook settings: built once, from the config in serve.
    webhooksRoutes({ db: deps.db, ...deps.manager.webhookSettings }),
    eventsFeedRoutes({ db: deps.db }),
  ];
}
