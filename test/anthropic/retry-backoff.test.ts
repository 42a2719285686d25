import { describe, expect, it } from 'vitest';
import { retryDelayMs } from '../../src/anthropic/retry-backoff.js';

const policy = { baseDelayMs: 500, maxDelayMs: 30_000 };

describe('retryDelayMs', () => {
  it('waits at least what retry-after asks, and at most a fifth more', () => {
    expect(retryDelayMs(0, 2000, policy, 0)).toBe(2000);
    expect(retryDelayMs(0, 2000, policy, 0.999)).toBeLessThanOrEqual(2400);
  });

  it('doubles the backoff per attempt without a retry-after', () => {
    expect([0, 1, 2, 3].map((attempt) => retryDelayMs(attempt, undefined, policy, 1))).toEqual([
      500, 1000, 2000, 4000,
    ]);
  });

  it('keeps at least half of the backoff whatever the jitter draws', () => {
    expect(retryDelayMs(3, undefined, policy, 0)).toBe(2000);
  });

  it('caps the backoff at maxDelayMs', () => {
    expect(retryDelayMs(20, undefined, policy, 1)).toBe(30_000);
  });
});
