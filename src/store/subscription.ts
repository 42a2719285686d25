import { sql } from 'kysely';
import { doublingDelay } from '../support/backoff.js';
import { Sleeper } from '../support/sleep.js';
import { claimCheckpoint, saveCheckpoint } from './checkpoints.js';
import { positionOf, readAll } from './event-store.js';
import type { LogPosition, RecordedEvent } from './event-store.types.js';
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
  /**
   * Resolves once the subscription has handled every event committed before
   * the call. (Reading stops below the oldest transaction still writing to this
   * database, so a long transaction here makes it wait.)
   */
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
  const sleeper = new Sleeper();
  // Each caller of caughtUp() waits until the checkpoint covers every event
  // committed before its call (positions up to `target`).
  let waiters: Array<{ target: Promise<number>; resolve: () => void }> = [];

  const readRound = () =>
    db.transaction().execute(async (trx) => {
      const from = await claimCheckpoint(trx, options.name);
      if (!from) return { read: 0, at: undefined }; // another instance is running this subscription
      const events = await readAll(trx, from, batchSize);
      if (events.length === 0) return { read: 0, at: from };
      await options.handle(events, trx);
      const at = positionOf(events.at(-1)!);
      await saveCheckpoint(trx, options.name, at);
      return { read: events.length, at };
    });

  const answerWaiters = async (at: LogPosition) => {
    const still: typeof waiters = [];
    for (const waiter of waiters) {
      if (await coversAllUpTo(db, at, await waiter.target)) waiter.resolve();
      else still.push(waiter);
    }
    waiters = still;
  };

  const loop = (async () => {
    let failures = 0;
    while (!stopped) {
      let read = 0;
      try {
        const round = await readRound();
        read = round.read;
        if (round.at && waiters.length > 0) await answerWaiters(round.at);
        failures = 0;
      } catch (error) {
        failures += 1;
        options.onError?.(error);
      }
      if (read === batchSize) continue;
      await sleeper.sleep(failures === 0 ? pollMs : doublingDelay(failures, pollMs, 10_000));
    }
  })();

  return {
    wake: () => sleeper.wake(),
    caughtUp: () =>
      new Promise<void>((resolve) => {
        if (stopped) return resolve();
        waiters.push({ target: lastPosition(db), resolve });
        sleeper.wake();
      }),
    stop: async () => {
      stopped = true;
      sleeper.wake();
      await loop;
      for (const waiter of waiters) waiter.resolve();
      waiters = [];
    },
  };
}

/** The highest position committed so far (0 for an empty log). */
async function lastPosition(db: Db): Promise<number> {
  const row = await db
    .selectFrom('events')
    .select((eb) => eb.fn.max('position').as('position'))
    .executeTakeFirst();
  return Number(row?.position ?? 0);
}

/** Whether no event at or below `target` lies beyond the checkpoint `at`. */
async function coversAllUpTo(db: Db, at: LogPosition, target: number): Promise<boolean> {
  const result = await sql<{ behind: boolean }>`
    select exists (
      select 1 from events
      where position <= ${target}
        and (transaction_id, position) > (${at.transactionId}::bigint, ${at.position}::bigint)
    ) as behind
  `.execute(db);
  return !result.rows[0]?.behind;
}

export interface FollowLogOptions {
  /** Where to start: the position of the last event the reader has (default: the start). */
  after?: LogPosition | undefined;
  /** Only this tenant's events. */
  tenant?: string | undefined;
  /** Events read per query (default: 500). */
  batchSize?: number | undefined;
  /** How long to wait before looking again when nothing was new (default: 200 ms). */
  pollMs?: number | undefined;
  /** Ends the iteration. */
  signal?: AbortSignal | undefined;
}

/**
 * Follows the log without a stored checkpoint (the reader keeps its own position, as a feed's
 * client does): yields each batch of events in commit-safe order, and an empty batch after
 * every look that found nothing new (so a caller can send a heartbeat). An event committed
 * late with a lower position is held back until it is safe, never skipped; none is yielded
 * twice. Ends when `signal` aborts.
 */
export async function* followLog(
  db: Db,
  options: FollowLogOptions = {},
): AsyncGenerator<RecordedEvent[]> {
  const batchSize = options.batchSize ?? 500;
  const pollMs = options.pollMs ?? 200;
  const sleeper = new Sleeper();
  let at = options.after ?? { transactionId: 0, position: 0 };
  while (!options.signal?.aborted) {
    const events = await readAll(db, at, batchSize, { tenant: options.tenant });
    if (events.length > 0) at = positionOf(events.at(-1)!);
    yield events;
    if (events.length < batchSize) await sleeper.sleep(pollMs, options.signal);
  }
}
