/**
 * The wait before retry number `attempt` (0 for the first): `firstMs`, doubled for each attempt
 * after it, and never more than `maxMs`. Loops that retry add their own jitter, if any.
 * @example doublingDelay(3, 250, 10_000) // 2000
 */
export function doublingDelay(attempt: number, firstMs: number, maxMs: number): number {
  return Math.min(maxMs, firstMs * 2 ** attempt);
}
