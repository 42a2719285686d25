import type { OpenAPIHono } from '@hono/zod-openapi';
import { type Clock, systemClock } from '../domain/clock.js';
import type { Db } from '../store/schema/index.js';
import type { HostResolver } from '../webhooks/guarded-lookup.js';
import { plaintextSecretCipher, type SecretCipher } from '../webhooks/secret-cipher.js';
import type { WebhookAllowList } from '../webhooks/webhook-allow-list.js';
import type { WebhookSettings } from '../webhooks/webhook-settings.js';
import type { AppEnv } from './app-env.js';
import { createRouter } from './create-router.js';
import { webhookDeliveriesRoutes } from './webhook-deliveries.routes.js';
import { webhookSubscriptionsRoutes } from './webhook-subscriptions.routes.js';

/** What the webhook routes need. */
export interface WebhooksRoutesDeps {
  db: Db;
  /** Private hosts and ranges webhooks may target (BATCHKEEPER_WEBHOOK_ALLOW). */
  allowList: WebhookAllowList;
  /** How secrets are stored (default: plaintext, no BATCHKEEPER_ENCRYPTION_KEY). */
  cipher?: SecretCipher | undefined;
  /** (default: the system clock) */
  clock?: Clock | undefined;
  /** Resolves a URL's host at registration, as deliveries do (default: the system resolver). */
  resolve?: HostResolver | undefined;
}

/**
 * `/v1/webhooks`: subscriptions (register, list, delete, ping, rotate the secret) and the
 * delivery log (list, retry), all scoped to the caller's tenant.
 */
export function webhooksRoutes(deps: WebhooksRoutesDeps): OpenAPIHono<AppEnv> {
  const settings: WebhookSettings = {
    clock: deps.clock ?? systemClock,
    allowList: deps.allowList,
    cipher: deps.cipher ?? plaintextSecretCipher,
    resolve: deps.resolve,
  };
  return createRouter()
    .route('/', webhookSubscriptionsRoutes(deps.db, settings))
    .route('/', webhookDeliveriesRoutes(deps.db, settings));
}
