import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Config } from '../config.js';
import type { Db } from '../store/schema/index.js';
import { parseWebhookAllowList } from '../webhooks/webhook-allow-list.js';
import { secretCipherFor } from '../webhooks/webhook-settings.js';
import type { AppEnv } from './app-env.js';
import { webhooksRoutes } from './webhooks.routes.js';

export interface ApiRoutesDeps {
  db: Db;
  config: Config;
}

/**
 * The resource modules `batchkeeper serve` mounts beside the operational
 * routes. A module joins by adding its line here.
 */
export function apiRoutes(deps: ApiRoutesDeps): OpenAPIHono<AppEnv>[] {
  return [
    // jobsRoutes({ manager }): /v1/jobs..., /v1/stats; lands with BatchJobManager.
    webhooksRoutes({
      db: deps.db,
      allowList: parseWebhookAllowList(deps.config.webhookAllow),
      cipher: secretCipherFor(deps.config.encryptionKey),
    }),
  ];
}
