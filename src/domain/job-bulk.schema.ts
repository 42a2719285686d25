import { z } from 'zod';
import { TagSchema } from './job-config.schema.js';
import { RetryOptionsSchema } from './job-retry.schema.js';
import { JobStatusSchema } from './job-status.js';
import { parseOrThrow } from './validation.js';

/** The most jobs one bulk call acts on (the oldest matching first); `more` says some were left. */
export const MAX_BULK_JOBS = 1_000;

const Instant = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time' });

/** Which of the tenant's jobs a bulk action is about; every criterion given must hold. */
export const BulkFilterSchema = z.strictObject({
  status: JobStatusSchema.optional(),
  tag: TagSchema.optional(),
  /** Created strictly before this instant. */
  createdBefore: Instant.optional(),
  /** Created at or after this instant. */
  createdAfter: Instant.optional(),
});
export type BulkFilter = z.output<typeof BulkFilterSchema>;

/** The body of POST /v1/jobs/bulk. */
export const BulkActionSchema = z
  .strictObject({
    action: z.enum(['cancel', 'retry'], { error: 'action must be "cancel" or "retry"' }),
    filter: BulkFilterSchema.default({}),
    /** With action "retry": the retry's body, the same for every job. */
    retry: RetryOptionsSchema.optional(),
    /** True: say what would happen, change nothing (default: false). */
    dryRun: z.boolean().default(false),
  })
  .refine((body) => body.action === 'retry' || body.retry === undefined, {
    path: ['retry'],
    error: 'retry options go with action "retry" only',
  });
export type BulkAction = z.output<typeof BulkActionSchema>;

/** Validates a bulk action whole; a ValidationError names each bad field. */
export function parseBulkAction(input: unknown): BulkAction {
  return parseOrThrow(BulkActionSchema, input, 'invalid bulk action');
}
