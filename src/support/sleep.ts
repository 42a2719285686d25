import { setTimeout as timeout } from 'node:timers/promises';
import type { Clock } from '../domain/clock.js';

/**
 * Waits `ms` milliseconds. An aborted `signal` rejects the wait at once with node's AbortError
 * (its `cause` is the signal's reason), as `node:timers/promises` does.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return timeout(ms, undefined, { signal });
}

/** Milliseconds from the clock's now until `at`; 0 when it has passed. */
export function msUntil(at: Date, clock: Clock): number {
  return Math.max(0, at.getTime() - clock.now().getTime());
}

/**
 * A loop's sleep that another party can cut short: `wake()` ends the sleep under way at once
 * (and does nothing when none is), as does an aborted signal. One sleep at a time.
 * @example const sleeper = new Sleeper();
 *          while (running) { await round(); await sleeper.sleep(1000); } // elsewhere: sleeper.wake()
 */
export class Sleeper {
  #wake: (() => void) | undefined;

  /** Waits `ms`, or less: answers true when woken (or aborted), false when the time ran out. */
  sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
    if (signal?.aborted) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const end = (woken: boolean) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (this.#wake === onAbort) this.#wake = undefined;
        resolve(woken);
      };
      const onAbort = () => end(true);
      const timer = setTimeout(() => end(false), ms);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#wake = onAbort;
    });
  }

  /** Ends the sleep under way, if there is one. */
  wake(): void {
    this.#wake?.();
  }
}
