import type { ErrorHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from 'pino';
import { BatchkeeperError, QueueFullError, ValidationError } from '../domain/errors.js';
import type { AppEnv } from './app-env.js';
import type { ErrorResponse } from './error.schema.js';

/** The wire `type` of an HTTP status that has no error class of its own. */
const TYPE_BY_STATUS: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  405: 'invalid_request_error',
  409: 'conflict_error',
  413: 'request_too_large',
  415: 'invalid_request_error',
  429: 'rate_limit_error',
  503: 'not_ready_error',
};

/**
 * The app's one `onError`: a `BatchkeeperError` answers its own status and
 * type, an `HTTPException` (malformed JSON, unsupported media type) its
 * status, anything else a 500 `api_error` whose details go to the log only.
 */
export function errorHandler(rootLogger: Logger): ErrorHandler<AppEnv> {
  return function handleError(error, c) {
    const logger = c.get('logger') ?? rootLogger;
    if (error instanceof BatchkeeperError) {
      const body: ErrorResponse = { error: { type: error.type, message: error.message } };
      if (error instanceof ValidationError) body.error.issues = error.issues;
      if (error instanceof QueueFullError) c.header('retry-after', String(error.retryAfterSeconds));
      logger.debug({ errorType: error.type, status: error.status }, error.message);
      return c.json(body, error.status as ContentfulStatusCode);
    }
    if (error instanceof HTTPException && error.status < 500) {
      const type = TYPE_BY_STATUS[error.status] ?? 'invalid_request_error';
      logger.debug({ errorType: type, status: error.status }, error.message);
      return c.json(
        { error: { type, message: error.message || 'invalid request' } } satisfies ErrorResponse,
        error.status,
      );
    }
    logger.error({ err: error }, 'unhandled error');
    return c.json(
      { error: { type: 'api_error', message: 'internal server error' } } satisfies ErrorResponse,
      500,
    );
  };
}
