import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decideNextStep,
  MAX_ATTEMPTS,
  MAX_RETRY_AFTER_MS,
  MIN_THROTTLED_RETRY_MS,
  RETRY_SCHEDULE_MS,
  scheduledDelay,
} from '../../src/webhooks/retry-policy.js';

const now = new Date('2030-01-01T00:00:00Z');
const noJitter = () => 0.5;
const stepAfter = (attemptsMade: number, statusCode: number, retryAfter?: string) =>
  decideNextStep(
    { kind: 'response', statusCode, retryAfter },
    { attemptsMade, maxAttempts: MAX_ATTEMPTS, now, random: noJitter },
  );
const waitOf = (step: ReturnType<typeof decideNextStep>) => {
  if (step.status !== 'pending') throw new Error(`expected pending, got ${step.status}`);
  return step.nextAttemptAt.getTime() - now.getTime();
};

describe('the retry policy', () => {
  it("follows Svix's schedule: at once, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h", () => {
    expect(RETRY_SCHEDULE_MS).toEqual([
      0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000,
    ]);
    expect(MAX_ATTEMPTS).toBe(8);
  });

  it('waits the next step of the schedule after a failed attempt', () => {
    const waits = [1, 2, 3, 4, 5, 6, 7].map((attemptsMade) => waitOf(stepAfter(attemptsMade, 500)));
    expect(waits).toEqual(RETRY_SCHEDULE_MS.slice(1));
  });

  it('moves every wait by at most 20% either way', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: MAX_ATTEMPTS - 1 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attemptsMade, r) => {
          const wait = waitOf(
            decideNextStep(
              { kind: 'response', statusCode: 503 },
              { attemptsMade, maxAttempts: MAX_ATTEMPTS, now, random: () => r },
            ),
          );
          const base = scheduledDelay(attemptsMade);
          expect(wait).toBeGreaterThanOrEqual(Math.floor(base * 0.8));
          expect(wait).toBeLessThanOrEqual(Math.ceil(base * 1.2));
        },
      ),
    );
  });

  it('counts only 2xx as delivered', () => {
    expect(stepAfter(1, 200).status).toBe('delivered');
    expect(stepAfter(1, 204).status).toBe('delivered');
    expect(stepAfter(1, 299).status).toBe('delivered');
    expect(stepAfter(1, 100).status).toBe('pending');
    expect(stepAfter(1, 400).status).toBe('pending');
  });

  it('counts a redirect as a failure', () => {
    expect(stepAfter(1, 301).status).toBe('pending');
    expect(stepAfter(1, 307).status).toBe('pending');
  });

  it('makes the message dead after the last attempt', () => {
    expect(stepAfter(MAX_ATTEMPTS - 1, 500).status).toBe('pending');
    expect(stepAfter(MAX_ATTEMPTS, 500)).toEqual({ status: 'dead', disableEndpoint: false });
  });

  it('makes the message dead and disables the endpoint on 410 Gone', () => {
    expect(stepAfter(1, 410)).toEqual({ status: 'dead', disableEndpoint: true });
  });

  it('waits at least a minute after a 429', () => {
    expect(waitOf(stepAfter(1, 429))).toBe(MIN_THROTTLED_RETRY_MS);
    expect(waitOf(stepAfter(3, 429))).toBe(RETRY_SCHEDULE_MS[3]);
  });

  it('waits at least a minute after a timeout', () => {
    const step = decideNextStep(
      { kind: 'error', timedOut: true },
      { attemptsMade: 1, maxAttempts: MAX_ATTEMPTS, now, random: noJitter },
    );
    expect(waitOf(step)).toBe(MIN_THROTTLED_RETRY_MS);
  });

  it('retries a refused connection on the schedule', () => {
    const step = decideNextStep(
      { kind: 'error', timedOut: false },
      { attemptsMade: 1, maxAttempts: MAX_ATTEMPTS, now, random: noJitter },
    );
    expect(waitOf(step)).toBe(5_000);
  });

  it('waits no less than a Retry-After in seconds', () => {
    expect(waitOf(stepAfter(1, 503, '120'))).toBe(120_000);
  });

  it('waits no less than a Retry-After date', () => {
    expect(waitOf(stepAfter(1, 429, 'Wed, 01 Jan 2030 00:10:00 GMT'))).toBe(600_000);
  });

  it('keeps the schedule when Retry-After asks for less', () => {
    expect(waitOf(stepAfter(2, 503, '1'))).toBe(RETRY_SCHEDULE_MS[2]);
  });

  it('caps a Retry-After at ten hours', () => {
    expect(waitOf(stepAfter(1, 503, String(7 * 24 * 3600)))).toBe(MAX_RETRY_AFTER_MS);
  });

  it('ignores a Retry-After it cannot read', () => {
    expect(waitOf(stepAfter(1, 503, 'soon'))).toBe(5_000);
  });

  it('keeps the schedule after a Retry-After date in the past', () => {
    expect(waitOf(stepAfter(1, 503, 'Tue, 31 Dec 2029 23:00:00 GMT'))).toBe(5_000);
  });

  it('reads a Retry-After as Anthropic responses are read: padded, or in fractions of seconds', () => {
    expect(waitOf(stepAfter(1, 503, ' 120 '))).toBe(120_000);
    expect(waitOf(stepAfter(1, 503, '90.5'))).toBe(90_500);
  });
});
