import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  computePercentComplete,
  emptyProgress,
  finalProgress,
  progressFromCounts,
  withPercentComplete,
} from '../../src/domain/progress.js';

const none = { completed: 0, failed: 0, cancelled: 0, expired: 0 };

describe('computePercentComplete', () => {
  it('counts completed, failed, cancelled and expired requests as done', () => {
    expect(
      computePercentComplete({ total: 8, completed: 1, failed: 2, cancelled: 3, expired: 1 }),
    ).toBe(87.5);
  });

  it('keeps two decimals', () => {
    expect(computePercentComplete({ ...none, total: 3, completed: 1 })).toBe(33.33);
    expect(computePercentComplete({ ...none, total: 3, completed: 2 })).toBe(66.66);
  });

  it('is exact where the share is a whole percentage', () => {
    expect(computePercentComplete({ ...none, total: 100, completed: 29 })).toBe(29);
  });

  it('says 100 only once every request is done', () => {
    expect(computePercentComplete({ ...none, total: 100_000, completed: 99_999 })).toBe(99.99);
    expect(computePercentComplete({ ...none, total: 100_000, completed: 100_000 })).toBe(100);
  });

  it('says 100 for a job without requests', () => {
    expect(computePercentComplete({ ...none, total: 0 })).toBe(100);
  });

  it('stays within 0..100, has at most two decimals and never falls as requests finish', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.nat(), (total, raw) => {
        const done = raw % (total + 1);
        const percent = computePercentComplete({ ...none, total, completed: done });
        expect(percent).toBeGreaterThanOrEqual(0);
        expect(percent).toBeLessThanOrEqual(100);
        expect(Math.round(percent * 100) / 100).toBe(percent);
        if (done < total) {
          expect(
            computePercentComplete({ ...none, total, failed: done + 1 }),
          ).toBeGreaterThanOrEqual(percent);
        }
      }),
    );
  });
});

describe('withPercentComplete', () => {
  it('adds the percentage to the counts', () => {
    const counts = {
      total: 4,
      pending: 1,
      processing: 1,
      completed: 2,
      failed: 0,
      cancelled: 0,
      expired: 0,
    };
    expect(withPercentComplete(counts)).toEqual({ ...counts, percentComplete: 50 });
  });
});

describe('emptyProgress', () => {
  it('has every request pending and none done', () => {
    expect(emptyProgress(5)).toEqual({
      total: 5,
      pending: 5,
      processing: 0,
      completed: 0,
      failed: 0,
      cancelled: 0,
      expired: 0,
      percentComplete: 0,
    });
  });

  it('is complete for a job without requests', () => {
    expect(emptyProgress(0).percentComplete).toBe(100);
  });

  it('refuses a negative or fractional total', () => {
    for (const total of [-1, 1.5, Number.NaN])
      expect(() => emptyProgress(total)).toThrow(RangeError);
  });
});

describe('progressFromCounts', () => {
  it('counts what is neither done nor at Anthropic as pending', () => {
    expect(
      progressFromCounts({
        total: 10,
        completed: 2,
        failed: 1,
        cancelled: 0,
        expired: 1,
        inFlight: 3,
      }),
    ).toEqual({
      total: 10,
      completed: 2,
      failed: 1,
      cancelled: 0,
      expired: 1,
      processing: 3,
      pending: 3,
      percentComplete: 40,
    });
  });

  it('never counts pending below 0', () => {
    const counts = { total: 2, completed: 2, failed: 0, cancelled: 0, expired: 0, inFlight: 1 };
    expect(progressFromCounts(counts).pending).toBe(0);
  });
});

describe('finalProgress', () => {
  it('has nothing pending or processing, whatever the outcomes add up to', () => {
    expect(finalProgress(3, { completed: 1, failed: 1, cancelled: 0, expired: 0 })).toEqual({
      total: 3,
      pending: 0,
      processing: 0,
      completed: 1,
      failed: 1,
      cancelled: 0,
      expired: 0,
      percentComplete: 66.66,
    });
  });
});
