import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../src/anthropic/token-bucket.js';

describe('TokenBucket', () => {
  it('lets a full bucket of calls through at once', () => {
    const bucket = new TokenBucket(60, 0, 3);
    expect([bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([0, 0, 0]);
  });

  it('says how long until the next token once empty', () => {
    const bucket = new TokenBucket(60, 0, 1);
    bucket.take(0);
    expect(bucket.take(0)).toBe(1000);
    expect(bucket.take(400)).toBe(600);
    expect(bucket.take(1000)).toBe(0);
  });

  it('never holds more than its capacity, however long it waited', () => {
    const bucket = new TokenBucket(60, 0, 2);
    const later = 10 * 60_000;
    expect([bucket.take(later), bucket.take(later), bucket.take(later)]).toEqual([0, 0, 1000]);
  });

  it('refuses a rate that is not positive', () => {
    expect(() => new TokenBucket(0, 0)).toThrow(RangeError);
  });

  it('never lets more than capacity + rate x time through in any stretch of time', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 600 }),
        fc.integer({ min: 1, max: 50 }),
        fc.array(fc.integer({ min: 0, max: 5_000 }), { minLength: 1, maxLength: 200 }),
        (perMinute, capacity, gaps) => {
          const bucket = new TokenBucket(perMinute, 0, capacity);
          let now = 0;
          const taken: number[] = [];
          for (const gap of gaps) {
            now += gap;
            if (bucket.take(now) === 0) taken.push(now);
          }
          for (let i = 0; i < taken.length; i++) {
            for (let j = i; j < taken.length; j++) {
              const allowed = capacity + ((taken[j]! - taken[i]!) * perMinute) / 60_000;
              expect(j - i + 1).toBeLessThanOrEqual(allowed + 1e-9);
            }
          }
        },
      ),
    );
  });
});
