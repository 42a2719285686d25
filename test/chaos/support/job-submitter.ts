import { setTimeout as sleep } from 'node:timers/promises';
import type { PlannedJob } from './job-plan.js';
import type { SeededRandom } from './seeded-random.js';
import type { ServeInstance } from './serve-instance.js';

/** What submitting one job took. */
export interface Submission {
  jobId: string;
  planned: PlannedJob;
  /** Attempts until an instance answered 2xx (instances die under the client). */
  attempts: number;
}

/**
 * POSTs a job to a running instance picked at random, and to another one
 * while the answer is a refused connection, a cut, or a 5xx. The
 * Idempotency-Key makes a create whose answer was lost come back as the same job.
 */
export async function submitJob(
  job: PlannedJob,
  instances: readonly ServeInstance[],
  random: SeededRandom,
): Promise<Submission> {
  for (let attempts = 1; ; attempts++) {
    const running = instances.filter((i) => i.running);
    if (running.length > 0) {
      const target = random.pick(running);
      try {
        const response = await fetch(`${target.url}/v1/jobs`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': job.key },
          body: JSON.stringify(job.body),
        });
        const text = await response.text();
        if (response.ok) return { jobId: JSON.parse(text).id, planned: job, attempts };
        if (response.status < 500) {
          throw new Error(`${target.name} refused a planned job: ${response.status} ${text}`);
        }
      } catch (error) {
        if (error instanceof Error && error.message.includes('refused a planned job')) throw error;
        // The instance died or is starting: try another.
      }
    }
    await sleep(100);
  }
}

/** Submits every job, `concurrency` at a time, spread over about `overMs`. */
export async function submitAll(
  jobs: readonly PlannedJob[],
  instances: readonly ServeInstance[],
  random: SeededRandom,
  options: { concurrency: number; overMs: number },
): Promise<Submission[]> {
  const submissions: Submission[] = [];
  const pauseMs = (options.overMs * options.concurrency) / Math.max(1, jobs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (next < jobs.length) {
        const job = jobs[next++]!;
        submissions.push(await submitJob(job, instances, random));
        await sleep(pauseMs);
      }
    }),
  );
  return submissions;
}
