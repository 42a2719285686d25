/** What is known of one request body's progress. */
export interface BodyProgress {
  /** Bytes received since the window began. */
  bytes: number;
  /** Time since the window began. */
  elapsedMs: number;
}

/**
 * True when a body arrives too slowly to keep its connection: once `graceMs` has passed, its
 * average rate is under `minBytesPerSecond`.
 * @example isBodyTooSlow({ bytes: 3, elapsedMs: 12_000 }, { minBytesPerSecond: 4096, graceMs: 10_000 }) // true
 */
export function isBodyTooSlow(
  progress: BodyProgress,
  rule: { minBytesPerSecond: number; graceMs: number },
): boolean {
  if (progress.elapsedMs < rule.graceMs) return false;
  return (progress.bytes * 1000) / progress.elapsedMs < rule.minBytesPerSecond;
}
