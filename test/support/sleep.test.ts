import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.js';
import { msUntil, Sleeper, sleep } from '../../src/support/sleep.js';

describe('Sleeper', () => {
  it('ends a sleep at once when woken, and says so', async () => {
    const sleeper = new Sleeper();
    const sleeping = sleeper.sleep(60_000);
    sleeper.wake();
    expect(await sleeping).toBe(true);
  });

  it('says the time ran out when nobody woke it', async () => {
    expect(await new Sleeper().sleep(0)).toBe(false);
  });

  it('ends a sleep when its signal aborts, and does not start one for an aborted signal', async () => {
    const sleeper = new Sleeper();
    const stop = new AbortController();
    const sleeping = sleeper.sleep(60_000, stop.signal);
    stop.abort();
    expect(await sleeping).toBe(true);
    expect(await sleeper.sleep(60_000, stop.signal)).toBe(true);
  });

  it('keeps no wake-up for later: a wake with nobody asleep is lost', async () => {
    const sleeper = new Sleeper();
    sleeper.wake();
    expect(await sleeper.sleep(0)).toBe(false);
  });
});

describe('sleep', () => {
  it('rejects with an AbortError carrying the reason when its signal aborts', async () => {
    const stop = new AbortController();
    const sleeping = sleep(60_000, stop.signal);
    stop.abort(new Error('stopping'));
    await expect(sleeping).rejects.toMatchObject({
      name: 'AbortError',
      cause: new Error('stopping'),
    });
  });
});

describe('msUntil', () => {
  it('counts from the clock, never below 0', () => {
    const clock = new ManualClock(new Date('2026-01-01T00:00:00Z'));
    expect(msUntil(new Date('2026-01-01T00:00:01.5Z'), clock)).toBe(1500);
    expect(msUntil(new Date('2025-12-31T23:59:59Z'), clock)).toBe(0);
  });
});
