import { describe, expect, it } from 'vitest';
import { doublingDelay } from '../../src/support/backoff.js';

describe('doublingDelay', () => {
  it('doubles from the first delay with each attempt', () => {
    expect([0, 1, 2, 3].map((attempt) => doublingDelay(attempt, 250, 10_000))).toEqual([
      250, 500, 1000, 2000,
    ]);
  });

  it('never goes past the cap', () => {
    expect(doublingDelay(10, 250, 5000)).toBe(5000);
    expect(doublingDelay(1000, 250, 5000)).toBe(5000);
  });
});
