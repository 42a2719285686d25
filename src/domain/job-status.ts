import { z } from 'zod';
import { parseOrThrow } from './validation.js';

/** A job's status; the value is the lower-case word used on the wire (`JobStatus.COMPLETED === 'completed'`). */
export const JobStatus = {
  PENDING: 'pending',
  QUEUED: 'queued',
  PROCESSING: 'processing',
  COMPLETED: 'completed',
  FAILED: 'failed',
  CANCELLED: 'cancelled',
  EXPIRED: 'expired',
  PAUSED: 'paused',
} as const;
export type JobStatus = (typeof JobStatus)[keyof typeof JobStatus];

/** The upper-case name of a status (`'COMPLETED'`), accepted as input beside the wire value. */
export type JobStatusName = keyof typeof JobStatus;

/** A status a job never leaves. */
export type TerminalStatus = 'completed' | 'failed' | 'cancelled' | 'expired';

/** Every status, in lifecycle order. */
export const JOB_STATUSES: readonly JobStatus[] = Object.values(JobStatus);

/** Whether a job in `status` has ended for good (the one list of them: the switch is exhaustive). */
export function isTerminalStatus(status: JobStatus): status is TerminalStatus {
  switch (status) {
    case JobStatus.COMPLETED:
    case JobStatus.FAILED:
    case JobStatus.CANCELLED:
    case JobStatus.EXPIRED:
      return true;
    case JobStatus.PENDING:
    case JobStatus.QUEUED:
    case JobStatus.PROCESSING:
    case JobStatus.PAUSED:
      return false;
    default: {
      const unknownStatus: never = status;
      throw new TypeError(`unknown job status ${String(unknownStatus)}`);
    }
  }
}

/** The statuses a job never leaves: completed, failed, cancelled, expired. */
export const TERMINAL_STATUSES: readonly TerminalStatus[] = JOB_STATUSES.filter(isTerminalStatus);

/** The statuses of a job that has not ended yet: pending, queued, processing, paused. */
export const ACTIVE_STATUSES: readonly JobStatus[] = JOB_STATUSES.filter(
  (status) => !isTerminalStatus(status),
);

const STATUS_BY_INPUT: ReadonlyMap<string, JobStatus> = new Map([
  ...Object.values(JobStatus).map((status) => [status, status] as const),
  ...Object.entries(JobStatus),
]);

/** A job status as input: the wire value (`'completed'`) or the name (`'COMPLETED'`); outputs the wire value. */
export const JobStatusSchema = z
  .enum([...STATUS_BY_INPUT.keys()] as [string, ...string[]], {
    error: `must be one of ${JOB_STATUSES.join(', ')}`,
  })
  .transform((input): JobStatus => STATUS_BY_INPUT.get(input)!);

/**
 * Reads a status from its wire value or its name; throws a ValidationError for anything else.
 * @example parseJobStatus('COMPLETED') // 'completed'
 */
export function parseJobStatus(input: string): JobStatus {
  return parseOrThrow(JobStatusSchema, input, 'invalid job status');
}
