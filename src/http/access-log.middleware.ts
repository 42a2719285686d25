import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './app-env.js';

/**
 * One `info` line per request once it is answered: method, path (without the
 * query string, which may carry tokens), status, duration and tenant. Headers
 * and bodies are never logged.
 */
export function accessLog(): MiddlewareHandler<AppEnv> {
  return async function accessLogMiddleware(c, next) {
    const started = performance.now();
    await next();
    c.var.logger.info(
      {
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        durationMs: Math.round((performance.now() - started) * 10) / 10,
        tenant: c.get('tenant'),
      },
      'request',
    );
  };
}
