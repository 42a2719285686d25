import { claimCheckpoint, saveCheckpoint } from './checkpoints.js';
import { positionOf, readAll } from './event-store.js';
import type { RecordedEvent } from './event-store.types.js';
import type { Db, Trx } from './schema/index.js';

export interface SubscriptionOptions {
  /** The checkpoint's name: one reader per name across all instances. */
  name: string;
  /** Handles a batch of events inside the transaction that advances the checkpoint. */
  handle(events: RecordedEvent[], trx: Trx): Promise<void>;
  /** Events read per transaction (default: 500). */
  batchSize?: number;
  /** How long to wait for new events before looking again (default: 200 ms). */
  pollMs?: number;
  /** Called when a round fails; the subscription waits and tries again. */
  onError?(error: unknown): void;
}

export interface Subscription {
  /** Look for new events now instead of at the next poll. */
  wake(): void;
  /** Resolves once the subscription has read everything committed before the call. */
  caughtUp(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Follows the whole log from a stored checkpoint: catches up, then polls
 * (woken early by `wake()` when this process appends). The handler and the
 * checkpoint commit together, so each event is handled exactly once as far
 * as the database is concerned.
 */
export function subscribe(db: Db, options: SubscriptionOptions): Subscription {
  const batchSize = options.batchSize ?? 500;
  const pollMs = options.pollMs ?? 200;
  let stopped = false;
  let wakeUp: (() => void) | undefined;
  // A caller of caughtUp() is answered by the first empty round that began after the call.
  let roundsBegun = 0;
  let idleWaiters: Array<{ afterRound: number; resolve: () => void }> = [];

  const readRound = () =>
    db.transaction().execute(async (trx) => {
      const from = await claimCheckpoint(trx, options.name);
      if (!from) return 0; // another instance is running this subscription
      const events = await readAll(trx, from, batchSize);
      if (events.length === 0) return 0;
      await options.handle(events, trx);
      await saveCheckpoint(trx, options.name, positionOf(events.at(-1)!));
      return events.length;
    });

  const loop = (async () => {
    let failures = 0;
    while (!stopped) {
      let read = 0;
      const round = ++roundsBegun;
      try {
        read = await readRound();
        failures = 0;
      } catch (error) {
        failures += 1;
        options.onError?.(error);
      }
      if (read === batchSize) continue;
      if (read === 0 && failures === 0) {
        for (const waiter of idleWaiters.filter((w) => w.afterRound < round)) waiter.resolve();
        idleWaiters = idleWaiters.filter((w) => w.afterRound >= round);
      }
      const delay = failures === 0 ? pollMs : Math.min(pollMs * 2 ** failures, 10_000);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wakeUp = undefined;
    }
  })();

  return {
    wake: () => wakeUp?.(),
    caughtUp: () =>
      new Promise<void>((resolve) => {
        if (stopped) return resolve();
        idleWaiters.push({ afterRound: roundsBegun, resolve });
        wakeUp?.();
      }),
    stop: async () => {
      stopped = true;
      wakeUp?.();
      await loop;
      for (const waiter of idleWaiters) waiter.resolve();
      idleWaiters = [];
    },
  };
}
