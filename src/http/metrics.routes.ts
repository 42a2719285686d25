import { createHash, timingSafeEqual } from 'node:crypto';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Registry } from 'prom-client';
import type { AuthMode } from '../config.js';
import { AuthenticationError } from '../domain/errors.js';
import { metricsRegistry } from '../observability/metrics.js';
import type { AppEnv } from './app-env.js';
import { createRouter } from './create-router.js';

export interface MetricsRoutesDeps {
  /** (default: the shared registry) */
  registry?: Registry;
  /** `keys`: the metrics need `token`; `open` (loopback only): anyone may read them (default: open). */
  authMode?: AuthMode | undefined;
  /** BATCHKEEPER_METRICS_TOKEN, sent as `Authorization: Bearer <token>`. */
  token?: string | undefined;
}

/**
 * `GET /metrics`: the Prometheus text of the shared registry. It sums every tenant, so in
 * `keys` mode it asks for the metrics token, not an API key: a tenant's own figures are
 * `/v1/stats`. Without a token configured, nobody reads them then.
 */
export function metricsRoutes(deps: MetricsRoutesDeps = {}): OpenAPIHono<AppEnv> {
  const registry = deps.registry ?? metricsRegistry;
  const router = createRouter();
  router.get('/metrics', async (c) => {
    if (deps.authMode === 'keys') checkMetricsToken(c.req.header('authorization'), deps.token);
    return c.body(await registry.metrics(), 200, { 'content-type': registry.contentType });
  });
  return router;
}

function checkMetricsToken(authorization: string | undefined, token: string | undefined): void {
  if (token === undefined) {
    throw new AuthenticationError(
      'the metrics sum every tenant: set BATCHKEEPER_METRICS_TOKEN and send it as "Authorization: Bearer <token>"',
    );
  }
  const sent = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
  if (sent === undefined) {
    throw new AuthenticationError('the metrics need "Authorization: Bearer <metrics token>"');
  }
  if (!sameSecret(sent, token)) throw new AuthenticationError('invalid metrics token');
}

/** Compared as digests, in constant time whatever the lengths. */
function sameSecret(a: string, b: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(a), digest(b));
}
