import { z } from '@hono/zod-openapi';
import { BulkActionSchema, MAX_BULK_JOBS } from '../domain/job-bulk.schema.js';
import { RetryOptionsSchema } from '../domain/job-retry.schema.js';
import { JobSummarySchema } from './jobs.schemas.js';

/** POST /v1/jobs/{id}/retry: which requests to send again and what to change. */
// `.extend({})`: a copy made after @hono/zod-openapi is loaded, which gives it `.openapi` (the
// domain's schema may be built before, as a test's imports can order it).
export const RetryJobBodySchema = RetryOptionsSchema.extend({}).openapi('RetryJobRequest', {
  description:
    '`filter` selects the requests (every criterion given must hold; result types default to ' +
    'errored, expired and canceled; a succeeded request is never sent again); `overrides` is a ' +
    "JSON merge patch (RFC 7386) applied to each one's params; priority, tags, metadata and " +
    "callbackUrl default to the original job's, and the anthropic-version is always its own.",
});

/** The 201 of a retry: the new job's summary and the job it retries. */
export const RetriedJobSchema = JobSummarySchema.extend({
  retryOf: z.string().openapi({ description: 'the job whose requests this one sends again' }),
  webhookSecret: z.string().optional().openapi({
    description: 'the secret generated for the inherited or given callback, shown this once',
  }),
}).openapi('RetriedJob');

/** POST /v1/jobs/bulk. */
export const BulkJobsBodySchema = BulkActionSchema.extend({}).openapi('BulkJobsRequest', {
  description:
    `Cancel or retry every job of the tenant the filter matches, oldest first, at most ` +
    `${MAX_BULK_JOBS} a call (\`more: true\` says others matched: call again). ` +
    '`dryRun: true` changes nothing and says what would happen.',
});

export const BulkJobsResultSchema = z
  .object({
    jobs: z.array(
      z.object({
        id: z.string(),
        outcome: z.enum(['cancelled', 'retried', 'would cancel', 'would retry', 'skipped']),
        reason: z.string().optional().openapi({ description: 'why the job was skipped' }),
        retryJobId: z.string().optional().openapi({ description: 'the new job of a retry' }),
        requestCount: z
          .number()
          .int()
          .optional()
          .openapi({ description: 'the requests a retry sends again (or would)' }),
      }),
    ),
    more: z.boolean().openapi({ description: `more than ${MAX_BULK_JOBS} jobs matched` }),
  })
  .openapi('BulkJobsResult');
