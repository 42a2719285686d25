import { setTimeout as sleep } from 'node:timers/promises';
import {
  eventWriters,
  lockChainProgress,
  saveChainProgress,
  stillRunning,
} from '../store/audit/chain-progress.js';
import {
  type ChainRow,
  type ComputedLink,
  readChainRows,
  storeLinks,
  streamsInPositions,
  streamsWithUnchainedEvents,
} from '../store/audit/unchained-events.js';
import { chainHash, dataDigest, eventLinkText } from '../store/event-chain.js';
import { hexOf } from '../store/event-store.js';
import type { Db } from '../store/schema/index.js';

export interface ChainRound {
  /** Events this round chained. */
  chained: number;
  /** True once no event is left unchained (nothing more to do, ever). */
  done: boolean;
  /** Streams with unchained events that cannot be chained (a gap in their versions). */
  unchainable?: string[];
}

/**
 * One batch of chaining the events written before migration 0010 (docs/audit.md): the
 * streams of the next `eventsPerRound` old positions, each chained whole, in one transaction
 * that also moves the progress on, so it can stop anywhere and resume. Once the walk is past
 * the old positions, a sweep picks up events appended meanwhile to streams whose head was not
 * chained yet.
 */
export async function chainOldEventsRound(db: Db, eventsPerRound = 2_000): Promise<ChainRound> {
  return db.transaction().execute(async (trx) => {
    const progress = await lockChainProgress(trx);
    if (progress.doneAt) return { chained: 0, done: true };
    if (progress.chainedUpTo < progress.chainUntil) {
      const { streamIds, upTo } = await streamsInPositions(
        trx,
        progress.chainedUpTo,
        progress.chainUntil,
        eventsPerRound,
      );
      const chained = await storeLinks(trx, linksFor(await readChainRows(trx, streamIds)));
      await saveChainProgress(trx, { chainedUpTo: upTo, done: false });
      return { chained, done: false };
    }
    const streamIds = await streamsWithUnchainedEvents(trx, 200);
    if (streamIds.length > 0) {
      const chained = await storeLinks(trx, linksFor(await readChainRows(trx, streamIds)));
      return chained > 0
        ? { chained, done: false }
        : { chained, done: false, unchainable: streamIds };
    }
    // None left, unless a writer that read an unchained head is still to commit: wait for the
    // transactions writing events now, then look again.
    let writers = await eventWriters(trx);
    for (let wait = 0; writers.length > 0 && wait < WRITER_WAITS; wait++) {
      await sleep(10);
      writers = await stillRunning(trx, writers);
    }
    if (writers.length > 0) return { chained: 0, done: false };
    const done = (await streamsWithUnchainedEvents(trx, 1)).length === 0;
    if (done) await saveChainProgress(trx, { chainedUpTo: progress.chainedUpTo, done });
    return { chained: 0, done };
  });
}

/** Old events that chaining cannot link: `audit verify` says what is wrong with them. */
export class UnchainableStreamsError extends Error {
  constructor(readonly streamIds: readonly string[]) {
    super(
      `cannot chain ${streamIds.length} stream(s) with a gap in their versions: ${streamIds.slice(0, 5).join(', ')} (run audit verify on them)`,
    );
  }
}

/** How many times (10 ms apart) a clean sweep waits for the writers it saw. */
const WRITER_WAITS = 500;

/** Runs rounds until every old event is chained (or `signal` aborts); returns the count. */
export async function chainOldEvents(
  db: Db,
  options: {
    eventsPerRound?: number;
    signal?: AbortSignal | undefined;
    /** Between sweeps that found nothing to chain (default: 100 ms). */
    pauseMs?: number;
    /** Called after each round that chained something, with its count and the total so far. */
    onRound?: (chained: number, total: number) => void;
  } = {},
): Promise<number> {
  let total = 0;
  for (;;) {
    if (options.signal?.aborted) return total;
    const round = await chainOldEventsRound(db, options.eventsPerRound);
    total += round.chained;
    if (round.chained > 0) options.onRound?.(round.chained, total);
    if (round.done) return total;
    if (round.unchainable) throw new UnchainableStreamsError(round.unchainable);
    // A sweep that found nothing but writers still running waits for them.
    if (round.chained === 0)
      await sleep(options.pauseMs ?? 100, undefined, { signal: options.signal }).catch(() => {});
  }
}

/** The links of each stream's unchained events, continuing from its last chained one. */
export function linksFor(rows: readonly ChainRow[]): ComputedLink[] {
  const links: ComputedLink[] = [];
  let stream: string | undefined;
  let previous: { version: number; hash: string | null } = { version: 0, hash: null };
  let skipping = false;
  for (const row of rows) {
    if (row.streamId !== stream) {
      stream = row.streamId;
      previous = { version: 0, hash: null };
      skipping = false;
    }
    if (skipping) continue;
    const stored = hexOf(row.hash);
    if (row.version !== previous.version + 1 || (row.version > 1 && previous.hash === null)) {
      // A gap, or a chained event after an unchained one: any link would be wrong, and
      // audit verify reports the stream as it is.
      skipping = true;
      continue;
    }
    if (stored === null) {
      const link = eventLinkText({ ...row, dataDigest: dataDigest(row.data) });
      const hash = chainHash(previous.hash, link);
      links.push({ position: row.position, hash, previousHash: previous.hash });
      previous = { version: row.version, hash };
    } else {
      previous = { version: row.version, hash: stored };
    }
  }
  return links;
}
