import { randomBytes } from 'node:crypto';
import type { SeededRandom } from './seeded-random.js';

/** One job the chaos client will submit. */
export interface PlannedJob {
  /** Its Idempotency-Key: a create retried on another instance is still one job. */
  key: string;
  body: {
    requests: Array<{ custom_id: string; params: Record<string, unknown> }>;
    priority: number;
    tags: string[];
    callbackUrl?: string;
    webhookSecret?: string;
  };
  /** The path token of its callback, when it has one. */
  callbackToken?: string;
}

export interface JobPlanOptions {
  jobs: number;
  /** Distinct prompts the requests are drawn from: fewer means more duplicates. */
  prompts: number;
  maxRequestsPerJob: number;
  /** Fraction of jobs with a callbackUrl. */
  callbackRate: number;
  /** Base URL of the webhook collector; a job's callback is `${base}/${token}`. */
  callbackBase: string;
}

/**
 * The jobs of a run: requests drawn from a small pool of prompts, so many
 * repeat within and across jobs (deduplicated), priorities and tags mixed,
 * some with a callback signed with a secret of their own.
 */
export function planJobs(random: SeededRandom, options: JobPlanOptions): PlannedJob[] {
  return Array.from({ length: options.jobs }, (_, n) => {
    const size = random.int(1, options.maxRequestsPerJob);
    const requests = Array.from({ length: size }, (_, i) => ({
      custom_id: `r${i}`,
      params: {
        model: 'claude-sonnet-5-5',
        max_tokens: 32,
        messages: [{ role: 'user', content: `prompt ${random.int(1, options.prompts)}` }],
      },
    }));
    const job: PlannedJob = {
      key: `chaos-${random.seed}-${n}`,
      body: { requests, priority: random.int(1, 5), tags: [`wave-${n % 4}`] },
    };
    if (random.next() < options.callbackRate) {
      job.callbackToken = `job${n}`;
      job.body.callbackUrl = `${options.callbackBase}/${job.callbackToken}`;
      job.body.webhookSecret = `whsec_${randomBytes(32).toString('base64')}`;
    }
    return job;
  });
}
