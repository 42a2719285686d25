// A copy of src/domain/job-status.ts's lists for the browser bundle: that module builds zod
// schemas, and importing it would bundle zod (~440 kB minified; the whole dashboard is ~100 kB).
// test/browser/api-copies.test.ts checks that the copy and the domain's lists agree.
import type { JobStatus } from './types.js';

/** Every status, in the order the pages list them (paused beside processing). */
export const JOB_STATUSES = [
  'pending',
  'queued',
  'processing',
  'paused',
  'completed',
  'failed',
  'cancelled',
  'expired',
] as const satisfies readonly JobStatus[];

/** The statuses a job never leaves. */
export const TERMINAL_STATUSES: readonly JobStatus[] = [
  'completed',
  'failed',
  'cancelled',
  'expired',
];
