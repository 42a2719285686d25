import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../../src/domain/retry-after.js';

const NOW = Date.parse('2026-01-05T10:00:00Z');

describe('parseRetryAfter', () => {
  it('reads delay-seconds, decimals included', () => {
    expect(parseRetryAfter('7', NOW)).toBe(7000);
    expect(parseRetryAfter('1.5', NOW)).toBe(1500);
  });

  it('reads an HTTP date as the time left until it, 0 once it has passed', () => {
    expect(parseRetryAfter('Mon, 05 Jan 2026 10:00:30 GMT', NOW)).toBe(30_000);
    expect(parseRetryAfter('Sun, 04 Jan 2026 10:00:00 GMT', NOW)).toBe(0);
  });

  it('gives nothing for a value that is neither', () => {
    expect(parseRetryAfter('soon', NOW)).toBeUndefined();
    expect(parseRetryAfter('', NOW)).toBeUndefined();
  });
});
