/**
 * The error family. Each error names its wire `type` and HTTP `status`; the
 * HTTP layer maps them to `{"error": {"type", "message"}}` in one place.
 */
export abstract class BatchkeeperError extends Error {
  abstract readonly type: string;
  abstract readonly status: number;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

export interface ValidationIssue {
  path: string;
  message: string;
}

/** Input that does not match its schema; nothing was written. */
export class ValidationError extends BatchkeeperError {
  readonly type = 'invalid_request_error';
  readonly status = 400;
  constructor(
    message: string,
    readonly issues: ValidationIssue[] = [],
  ) {
    super(message);
  }
}

export class AuthenticationError extends BatchkeeperError {
  readonly type = 'authentication_error';
  readonly status = 401;
}

export class PermissionError extends BatchkeeperError {
  readonly type = 'permission_error';
  readonly status = 403;
}

export class NotFoundError extends BatchkeeperError {
  readonly type = 'not_found_error';
  readonly status = 404;
}

/** A command the job's current state forbids (pause a completed job, resume a queued one). */
export class IllegalTransitionError extends BatchkeeperError {
  readonly type = 'illegal_transition_error';
  readonly status = 409;
  constructor(
    readonly command: string,
    readonly fromStatus: string,
  ) {
    super(`cannot ${command} a job that is ${fromStatus}`);
  }
}

/** An append whose expected stream version was not the stream's version; nothing was written. */
export class ConcurrencyError extends BatchkeeperError {
  readonly type = 'concurrency_error';
  readonly status = 409;
  constructor(
    readonly streamId: string,
    readonly expectedVersion: number,
    readonly actualVersion?: number,
  ) {
    super(
      `stream ${streamId} is not at version ${expectedVersion}` +
        (actualVersion === undefined ? '' : ` (it is at ${actualVersion})`),
    );
  }
}

/** The same Idempotency-Key was used with a different request. */
export class IdempotencyConflictError extends BatchkeeperError {
  readonly type = 'idempotency_conflict_error';
  readonly status = 409;
}

export class PayloadTooLargeError extends BatchkeeperError {
  readonly type = 'request_too_large';
  readonly status = 413;
}

/**
 * The caller's jobs already fill what it may have waiting: its own quota, or its share of the
 * queue while the queue every tenant shares is full. Says nothing of other tenants' jobs.
 */
export class QueueFullError extends BatchkeeperError {
  readonly type = 'queue_full_error';
  readonly status = 429;
  constructor(
    /** How many of the caller's jobs may wait under the limit that refused it. */
    readonly allowed: number,
    readonly limit: 'quota' | 'share' = 'quota',
    readonly retryAfterSeconds = 30,
  ) {
    super(
      limit === 'quota'
        ? `your queue is full: ${allowed} of your jobs are waiting, the most you may have waiting; try again when some have started`
        : `the queue is full: while it is, you may have ${allowed} jobs waiting and have that many; try again when some have started`,
    );
  }
}

/** The service cannot answer yet (database unreachable, migrations not applied, shutting down). */
export class NotReadyError extends BatchkeeperError {
  readonly type = 'not_ready_error';
  readonly status = 503;
}

/** The request contradicts what is already recorded (a second final result, a duplicate's own result). */
export class ConflictError extends BatchkeeperError {
  readonly type = 'conflict_error';
  readonly status = 409;
}
