import type { z } from '@hono/zod-openapi';
import type {
  BulkJobsBodySchema,
  BulkJobsResultSchema,
  RetriedJobSchema,
  RetryJobBodySchema,
} from './job-retry.schemas.js';

const ORIGINAL_ID = 'job_mx4n0k3y53037223ab5acf20';
const RETRY_ID = 'job_mx4p2a9c0c1d9e8f7a6b5c4d';

export const RETRY_JOB_EXAMPLE: z.input<typeof RetryJobBodySchema> = {
  types: ['errored', 'expired'],
  overrides: { max_tokens: 2048 },
};

export const RETRIED_JOB_EXAMPLE: z.input<typeof RetriedJobSchema> = {
  id: RETRY_ID,
  status: 'queued',
  priority: 3,
  totalRequests: 2,
  uniqueRequests: 2,
  deduplicatedRequests: 0,
  createdAt: '2026-03-14T10:02:11.400Z',
  expiresAt: '2026-03-15T10:02:11.400Z',
  retryOf: ORIGINAL_ID,
};

export const BULK_JOBS_EXAMPLE: z.input<typeof BulkJobsBodySchema> = {
  action: 'retry',
  filter: { status: 'completed', tag: 'nightly', createdAfter: '2026-03-14T00:00:00Z' },
  retry: { filter: { resultTypes: ['expired'] } },
  dryRun: true,
};

export const BULK_JOBS_RESULT_EXAMPLE: z.input<typeof BulkJobsResultSchema> = {
  jobs: [
    { id: ORIGINAL_ID, outcome: 'would retry', requestCount: 2 },
    {
      id: 'job_mx4n7c1q2b3a4c5d6e7f8a9b',
      outcome: 'skipped',
      reason:
        'job job_mx4n7c1q2b3a4c5d6e7f8a9b has no request matching the retry filter ' +
        '(resultTypes expired): nothing to retry',
    },
  ],
  more: false,
};
