import type { ErrorHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode, StatusCode } from 'hono/utils/http-status';
import type { Logger } from 'pino';
import { BatchkeeperError, QueueFullError, ValidationError } from '../domain/errors.js';
import { refusedValueState } from '../store/pg-errors.js';
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

/** The status recorded for a request whose client went away before it was answered. */
export const CLIENT_CLOSED_REQUEST = 499;

/** The client hung up: its request's signal is aborted, or reading its body failed that way. */
function isClientAbort(error: unknown, signal: AbortSignal): boolean {
  if (signal.aborted) return true;
  const e = error as { code?: unknown; message?: unknown } | null;
  return e?.code === 'ECONNRESET' && e.message === 'aborted';
}

/**
 * The app's one `onError`: a `BatchkeeperError` answers its own status and
 * type, an `HTTPException` (malformed JSON, unsupported media type) its
 * status, a client that hung up 499 (logged at info), a value Postgres refused
 * 400, anything else a 500 `api_error` whose details go to the log only.
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
    if (isClientAbort(error, c.req.raw.signal)) {
      // Nobody is left to answer; 499 (nginx's "client closed request") keeps it apart in metrics.
      logger.info(
        { status: CLIENT_CLOSED_REQUEST },
        'the client closed the connection mid-request',
      );
      return c.body(null, CLIENT_CLOSED_REQUEST as StatusCode);
    }
    const refusedState = refusedValueState(error);
    if (refusedState !== undefined) {
      // A boundary check missed this value; Postgres refused it and nothing was written.
      logger.warn({ sqlState: refusedState }, 'the database refused a value in the request');
      return c.json(
        {
          error: {
            type: 'invalid_request_error',
            message: 'the request holds a value that cannot be stored',
          },
        } satisfies ErrorResponse,
        400,
      );
    }
    logger.error({ err: error }, 'unhandled error');
    return c.json(
      { error: { type: 'api_error', message: 'internal server error' } } satisfies ErrorResponse,
      500,
    );
  };
}
