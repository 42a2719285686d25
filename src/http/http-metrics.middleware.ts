import type { MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { httpRequestDuration } from '../observability/metrics.js';
import type { AppEnv } from './app-env.js';

export interface HttpMetricsOptions {
  /** (default: the shared `batchkeeper_http_request_duration_seconds`) */
  histogram?: typeof httpRequestDuration;
}

/**
 * Records each request's latency by method, route pattern (`/v1/jobs/:id`,
 * never the raw path, so ids do not explode the label set) and status.
 */
export function httpMetrics(options: HttpMetricsOptions = {}): MiddlewareHandler<AppEnv> {
  const histogram = options.histogram ?? httpRequestDuration;
  return async function httpMetricsMiddleware(c, next) {
    const stopTimer = histogram.startTimer();
    await next();
    stopTimer({ method: c.req.method, route: routePattern(c), status: String(c.res.status) });
  };
}

/** The pattern of the endpoint that answered; middleware (method `ALL`) does not count. */
function routePattern(c: Parameters<typeof matchedRoutes>[0]): string {
  const endpoint = matchedRoutes(c).findLast((route) => route.method !== 'ALL');
  return endpoint?.path ?? 'unmatched';
}
