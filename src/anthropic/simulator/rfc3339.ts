/** RFC 3339 with microseconds, as Anthropic writes times: `2024-08-20T18:37:24.100435Z`. */
export function toRfc3339Micros(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** The same, or null for a moment that has not happened. */
export function toRfc3339MicrosOrNull(ms: number | null): string | null {
  return ms === null ? null : toRfc3339Micros(ms);
}
