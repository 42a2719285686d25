/** How many requests each lifecycle job has. */
export const REQUESTS_PER_JOB = 10;

/**
 * The body of job `n` of a run: 10 requests whose prompts no other job shares,
 * so nothing is deduplicated and every job sends its own batch.
 */
export function lifecycleJobBody(run: string, n: number): string {
  return JSON.stringify({
    requests: Array.from({ length: REQUESTS_PER_JOB }, (_, i) => ({
      custom_id: `r${i}`,
      params: {
        model: 'claude-sonnet-5-5',
        max_tokens: 16,
        messages: [{ role: 'user', content: `${run} job ${n} request ${i}` }],
      },
    })),
  });
}

/** Jobs are added by this many clients at once, one add per job, on both sides. */
export const SUBMITTERS = 4;
