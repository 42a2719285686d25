/**
 * A `Retry-After` value as milliseconds from `nowMs`: delay-seconds (a number >= 0, decimals
 * allowed as Anthropic's SDK allows them) or an HTTP date (0 once it has passed); undefined when
 * it is neither.
 * @example parseRetryAfter('7', now) // 7000
 */
export function parseRetryAfter(value: string, nowMs: number): number | undefined {
  if (value === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}
