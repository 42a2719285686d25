import type { MiddlewareHandler } from 'hono';
import { ValidationError } from '../domain/errors.js';
import { findUnstorableJson, unstorablePath } from '../domain/storable-json.js';
import type { AppEnv } from './app-env.js';

/** The media types Hono's validators read as JSON (`application/json`, `application/*+json`). */
const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads a JSON request body once, strictly, before any route sees it: bytes that are not UTF-8
 * are a 400 (where `Request.json()` would turn them into U+FFFD and store them), and so is a
 * value Postgres could not store, named by its path (NUL or a lone surrogate in any string or
 * key, nesting past MAX_JSON_DEPTH). The parsed value is what the route's validator then reads.
 * An empty body, or one that is not JSON, is left to the route (its validator says "malformed").
 * Place it after the body limit, which bounds what is read.
 */
export function strictJsonBody(): MiddlewareHandler<AppEnv> {
  return async function strictJsonBodyMiddleware(c, next) {
    const mediaType = c.req.header('content-type')?.split(';')[0]?.trim() ?? '';
    if (!JSON_MEDIA_TYPE.test(mediaType) || c.req.raw.body === null) return next();
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    if (bytes.length === 0) return next();
    let text: string;
    try {
      text = strictUtf8.decode(bytes);
    } catch {
      throw new ValidationError('the request body is not valid UTF-8');
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      cacheText(c.req.bodyCache, text);
      return next();
    }
    const unstorable = findUnstorableJson(value);
    if (unstorable) {
      const path = unstorablePath(unstorable);
      throw new ValidationError(
        `invalid request body: ${path ? `${path}: ` : ''}${unstorable.message}`,
        [{ path, message: unstorable.message }],
      );
    }
    cacheText(c.req.bodyCache, text);
    // The validator reads the body through json(): hand it the value parsed here, not a second parse.
    c.req.json = <T>() => Promise.resolve(value as T);
    return next();
  };
}

/** Hono keeps each form of the body it read as a promise; its type says the value. */
function cacheText(bodyCache: object, text: string): void {
  (bodyCache as { text?: Promise<string> }).text = Promise.resolve(text);
}
