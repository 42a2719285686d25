const UNITS: readonly [Intl.RelativeTimeFormatUnit, number][] = [
  ['second', 1_000],
  ['minute', 60_000],
  ['hour', 3_600_000],
  ['day', 86_400_000],
  ['month', 30 * 86_400_000],
  ['year', 365 * 86_400_000],
];
/** Up to how many of a unit are said before the next unit takes over (45 s, 45 min, 22 h...). */
const LIMITS: Record<string, number> = { second: 45, minute: 45, hour: 22, day: 26, month: 11 };

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

/**
 * A time as people say it, against `now`: `just now`, `3 minutes ago`, `in 2 hours`, `yesterday`.
 * @example relativeTime('2030-01-01T09:00:00Z', Date.parse('2030-01-01T09:03:10Z')) // '3 minutes ago'
 */
export function relativeTime(at: string | Date, now: number = Date.now()): string {
  const ms = (typeof at === 'string' ? Date.parse(at) : at.getTime()) - now;
  if (Number.isNaN(ms)) return String(at);
  if (Math.abs(ms) < 2_000) return 'just now';
  for (const [unit, size] of UNITS) {
    const count = Math.round(ms / size);
    const limit = LIMITS[unit];
    if (limit === undefined || Math.abs(count) < limit) return relative.format(count, unit);
  }
  return String(at);
}

/** A span of time for a progress line: `12s`, `3m05s`, `2h03m`. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
  const hours = Math.floor(minutes / 60);
  return `${hours}h${String(minutes % 60).padStart(2, '0')}m`;
}
