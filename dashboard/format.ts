// How numbers, times and money read on the pages. Pure.

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** A cost in USD; null is a cost the price table cannot tell (a model without a price). */
export function formatUsd(usd: number | null): string {
  if (usd === null) return 'unknown';
  if (usd === 0) return '$0';
  if (usd < 0.01) return `$${Number(usd.toPrecision(2))}`;
  return `$${usd.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

export function formatTokens(n: number): string {
  if (n >= 1_000_000) return `${(n / 1_000_000).toFixed(1)}M`;
  if (n >= 10_000) return `${Math.round(n / 1000)}k`;
  return formatCount(n);
}

/** 45s, 12m 3s, 3h 20m, 2d 4h. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** How long ago `iso` was, as of `now`. */
export function formatAge(iso: string, now: number): string {
  return formatDuration(now - Date.parse(iso));
}

/** A job's running time: start (or creation) to end (or now). */
export function jobDuration(
  job: { createdAt: string; startedAt: string | null; completedAt: string | null },
  now: number,
): number {
  const start = Date.parse(job.startedAt ?? job.createdAt);
  const end = job.completedAt ? Date.parse(job.completedAt) : now;
  return end - start;
}

/** 2026-03-14 09:26:53 (UTC), the form the timeline and tables use. */
export function formatTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toISOString().replace('T', ' ').slice(0, 19);
}

/** Short text for any JSON value (metadata values, event data). */
export function shortJson(value: unknown, max = 80): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  if (text === undefined) return '';
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
