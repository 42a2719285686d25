import { doublingDelay } from '../support/backoff.js';

/** How retries back off (defaults: 500 ms doubling to 30 s). */
export interface BackoffPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseDelayMs: 500, maxDelayMs: 30_000 };

/**
 * How long to wait before retry number `attempt` (0 for the first retry).
 * The server's `retry-after` is obeyed as a floor, with up to 20% added so
 * instances told the same wait do not come back in step; without one, the
 * delay doubles per attempt up to the cap, with "equal jitter" (half fixed,
 * half random). `random` is a draw in [0, 1).
 */
export function retryDelayMs(
  attempt: number,
  retryAfterMs: number | undefined,
  policy: BackoffPolicy,
  random: number,
): number {
  if (retryAfterMs !== undefined) return Math.round(retryAfterMs * (1 + 0.2 * random));
  const ceiling = doublingDelay(attempt, policy.baseDelayMs, policy.maxDelayMs);
  return Math.round(ceiling / 2 + (ceiling / 2) * random);
}
