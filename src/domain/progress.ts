/** How far a job has got, in requests (the seed's ProgressObject, plus `expired`). */
export interface JobProgress {
  /** Unique requests in the job. */
  total: number;
  /** Not yet submitted to Anthropic (or waiting to be submitted again). */
  pending: number;
  /** In a batch Anthropic is working on. */
  processing: number;
  /** Finished with a message. */
  completed: number;
  /** Finished with an error that will not be retried. */
  failed: number;
  cancelled: number;
  expired: number;
  /** Share of `total` with a final outcome, 0..100, two decimals. */
  percentComplete: number;
}

/** The request counts of a progress, without the derived percentage. */
export type ProgressCounts = Omit<JobProgress, 'percentComplete'>;

/**
 * The share of requests with a final outcome (completed, failed, cancelled or expired), in percent
 * with two decimals, rounded down so that 100 means every request is done; 100 for an empty job.
 * @example computePercentComplete({ total: 3, completed: 1, failed: 0, cancelled: 0, expired: 0 }) // 33.33
 */
export function computePercentComplete(
  progress: Pick<JobProgress, 'total' | 'completed' | 'failed' | 'cancelled' | 'expired'>,
): number {
  const { total, completed, failed, cancelled, expired } = progress;
  if (total <= 0) return 100;
  const done = completed + failed + cancelled + expired;
  if (done >= total) return 100;
  // Integer arithmetic first: 0.29 * 10000 is 2899.9999999999995 in floating point.
  return Math.floor((done * 10_000) / total) / 100;
}

/** The counts with their percentage filled in. */
export function withPercentComplete(counts: ProgressCounts): JobProgress {
  return { ...counts, percentComplete: computePercentComplete(counts) };
}

/** The progress of a job of `total` requests, none of them started. Throws a RangeError unless `total` is a whole number >= 0. */
export function emptyProgress(total: number): JobProgress {
  if (!Number.isSafeInteger(total) || total < 0) {
    throw new RangeError(`a job's request count must be a whole number >= 0, not ${total}`);
  }
  return withPercentComplete({
    total,
    pending: total,
    processing: 0,
    completed: 0,
    failed: 0,
    cancelled: 0,
    expired: 0,
  });
}

/** A job's counts as its state or its row holds them: final outcomes, and requests at Anthropic. */
export interface OutcomeCounts {
  total: number;
  completed: number;
  failed: number;
  cancelled: number;
  expired: number;
  inFlight: number;
}

/** The progress those counts mean: what is neither done nor at Anthropic is pending. */
export function progressFromCounts(counts: OutcomeCounts): JobProgress {
  const { total, completed, failed, cancelled, expired, inFlight } = counts;
  return withPercentComplete({
    total,
    completed,
    failed,
    cancelled,
    expired,
    processing: inFlight,
    pending: Math.max(0, total - completed - failed - cancelled - expired - inFlight),
  });
}

/**
 * The progress a completed job records: its final outcomes, nothing pending or at Anthropic
 * (whatever the counts add up to: a job's duplicates take their originals' outcomes).
 */
export function finalProgress(
  total: number,
  outcomes: Pick<JobProgress, 'completed' | 'failed' | 'cancelled' | 'expired'>,
): JobProgress {
  const { completed, failed, cancelled, expired } = outcomes;
  return withPercentComplete({
    total,
    pending: 0,
    processing: 0,
    completed,
    failed,
    cancelled,
    expired,
  });
}
