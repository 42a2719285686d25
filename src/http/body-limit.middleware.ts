import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { PayloadTooLargeError } from '../domain/errors.js';
import type { AppEnv } from './app-env.js';

const JSON_CONTENT_TYPE = /^application\/([a-z0-9.+-]+\+)?json\b/i;

export interface JsonBodyLimitOptions {
  /** The largest JSON body accepted, in bytes (default: 10 MiB). */
  maxBytes?: number;
}

/**
 * Refuses a JSON request body over `maxBytes` with 413 `request_too_large`,
 * by its Content-Length or, when chunked, as soon as it has read that much.
 * Other media types (NDJSON uploads) are left to their routes, which may
 * stream them: use `bodyLimitOf` there.
 */
export function jsonBodyLimit(options: JsonBodyLimitOptions = {}): MiddlewareHandler<AppEnv> {
  const limit = bodyLimitOf(options.maxBytes ?? 10 * 1024 * 1024);
  return async function jsonBodyLimitMiddleware(c, next) {
    if (!JSON_CONTENT_TYPE.test(c.req.header('content-type') ?? '')) return next();
    return limit(c, next);
  };
}

/** Hono's body limit, answering the app's 413 error. */
export function bodyLimitOf(maxBytes: number): MiddlewareHandler<AppEnv> {
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new PayloadTooLargeError(`the request body is larger than ${maxBytes} bytes`);
    },
  });
}
