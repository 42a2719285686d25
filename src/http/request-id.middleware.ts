import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';
import type { AppEnv } from './app-env.js';

/** The response header that carries the request id (Anthropic's name for it). */
export const REQUEST_ID_HEADER = 'request-id';

/** An incoming id is kept only if it is short and harmless in a header and a log line. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export interface RequestIdOptions {
  /** The logger each request's child logger derives from. */
  logger: Logger;
  /** Makes an id when the caller sent none usable (default: `req_` + a random UUID's hex). */
  generate?: () => string;
}

/**
 * Gives each request an id (the caller's `request-id` / `x-request-id` when
 * sane, else a new one), echoes it in the `request-id` response header and
 * binds it to `c.var.logger`, so every line logged for the request carries it.
 */
export function requestId(options: RequestIdOptions): MiddlewareHandler<AppEnv> {
  const generate = options.generate ?? (() => `req_${randomUUID().replaceAll('-', '')}`);
  return async function requestIdMiddleware(c, next) {
    const incoming = c.req.header('request-id') ?? c.req.header('x-request-id');
    const id = incoming && SANE_REQUEST_ID.test(incoming) ? incoming : generate();
    c.set('requestId', id);
    c.set('logger', options.logger.child({ requestId: id }));
    c.header(REQUEST_ID_HEADER, id);
    await next();
    // Again on the final response, when a handler that built its own (a redirect) left it out.
    // Only then: `c.header` on a finished response copies it into a full web Response, which
    // @hono/node-server can no longer send by its fast path (a string body written at once).
    if (c.res.headers.get(REQUEST_ID_HEADER) !== id) c.header(REQUEST_ID_HEADER, id);
  };
}
