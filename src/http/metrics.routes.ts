import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Registry } from 'prom-client';
import { metricsRegistry } from '../observability/metrics.js';
import type { AppEnv } from './app-env.js';
import { createRouter } from './create-router.js';

export interface MetricsRoutesDeps {
  /** (default: the shared registry) */
  registry?: Registry;
}

/** `GET /metrics`: the Prometheus text exposition of the shared registry; public. */
export function metricsRoutes(deps: MetricsRoutesDeps = {}): OpenAPIHono<AppEnv> {
  const registry = deps.registry ?? metricsRegistry;
  const router = createRouter();
  router.get('/metrics', async (c) =>
    c.body(await registry.metrics(), 200, { 'content-type': registry.contentType }),
  );
  return router;
}
