import type { AcceptedRequest } from './batch-envelope.js';
import { PromptCache } from './prompt-cache.js';
import { SimulatedBatch } from './simulated-batch.js';
import type { InjectedResultErrorType } from './simulator.options.js';
import { newBatchId } from './simulator-ids.js';

export interface NewBatch {
  requests: AcceptedRequest[];
  now: number;
  latencyMs: number;
  cancelLatencyMs: number;
  seed: number;
  erroredResultRates: Partial<Record<InjectedResultErrorType, number>>;
  unstorableTextRate?: number;
}

export interface PageQuery {
  limit: number;
  /** The page just newer than this batch. */
  beforeSequence?: number | undefined;
  /** The page just older than this batch. */
  afterSequence?: number | undefined;
}

export interface BatchPage {
  batches: SimulatedBatch[];
  hasMore: boolean;
}

/**
 * The simulator's batches, oldest first, and the ledger of what they cost:
 * every succeeded request's fingerprint, to count the ones paid for twice,
 * and the prompt cache their requests read and write.
 */
export class BatchRegistry {
  readonly #batches: SimulatedBatch[] = [];
  readonly #byId = new Map<string, SimulatedBatch>();
  readonly #unsettled = new Set<SimulatedBatch>();
  /** Batches in creation order, waiting to be archived; `#archiveHead` is the next one. */
  readonly #toArchive: SimulatedBatch[] = [];
  #archiveHead = 0;
  readonly #succeededFingerprints = new Set<string>();
  /** The organisation's batch prompt cache (docs/simulator.md, "The batch prompt cache"). */
  readonly promptCache = new PromptCache();
  #nextSequence = 0;
  batchesCreated = 0;
  requestsReceived = 0;
  resubmittedAfterSuccess = 0;

  create(batch: NewBatch): SimulatedBatch {
    const sequence = this.#nextSequence++;
    const created = new SimulatedBatch({
      id: newBatchId(sequence),
      sequence,
      createdAt: batch.now,
      requests: batch.requests.map((request) => this.#readCache(request, batch.now)),
      latencyMs: batch.latencyMs,
      cancelLatencyMs: batch.cancelLatencyMs,
      seed: batch.seed,
      erroredResultRates: batch.erroredResultRates,
      unstorableTextRate: batch.unstorableTextRate,
    });
    this.#batches.push(created);
    this.#byId.set(created.id, created);
    this.#unsettled.add(created);
    this.#toArchive.push(created);
    this.batchesCreated += 1;
    this.requestsReceived += created.requestCount;
    return created;
  }

  get(id: string): SimulatedBatch | undefined {
    return this.#byId.get(id);
  }

  /** Requests in batches that have not ended: the organisation's processing queue. */
  waitingRequests(): number {
    let waiting = 0;
    for (const batch of this.#unsettled) waiting += batch.requestCount;
    return waiting;
  }

  /** Newest first, like the API; cursors are batch sequences, so a deleted cursor still works. */
  page(query: PageQuery): BatchPage {
    const all = this.#batches;
    if (query.afterSequence !== undefined) {
      const end = lowerBound(all, query.afterSequence);
      const start = Math.max(0, end - query.limit);
      return { batches: all.slice(start, end).reverse(), hasMore: start > 0 };
    }
    if (query.beforeSequence !== undefined) {
      const start = lowerBound(all, query.beforeSequence + 1);
      const end = Math.min(all.length, start + query.limit);
      return { batches: all.slice(start, end).reverse(), hasMore: end < all.length };
    }
    const start = Math.max(0, all.length - query.limit);
    return { batches: all.slice(start).reverse(), hasMore: start > 0 };
  }

  delete(batch: SimulatedBatch): void {
    this.#byId.delete(batch.id);
    this.#unsettled.delete(batch);
    const index = lowerBound(this.#batches, batch.sequence);
    if (this.#batches[index] === batch) this.#batches.splice(index, 1);
    batch.archive();
  }

  /**
   * Brings every batch up to `now`: fixes the outcomes of the ones that ended
   * (in the order they ended, so "already succeeded earlier" is well defined)
   * and drops the results of the ones past their archive time.
   */
  settle(now: number): void {
    const ended = [...this.#unsettled]
      .filter((batch) => batch.statusAt(now) === 'ended')
      .sort((a, b) => a.endsAt - b.endsAt || a.sequence - b.sequence);
    for (const batch of ended) {
      batch.settle((request, outcome) => {
        if (outcome.type !== 'succeeded') return;
        if (!('invalid' in request.answer)) {
          this.promptCache.use(request.answer.cachePrefixes, batch.endsAt);
        }
        if (this.#succeededFingerprints.has(request.fingerprint)) this.resubmittedAfterSuccess += 1;
        else this.#succeededFingerprints.add(request.fingerprint);
      });
      this.#unsettled.delete(batch);
    }
    while (this.#archiveHead < this.#toArchive.length) {
      const next = this.#toArchive[this.#archiveHead]!;
      if (next.archivesAt > now) break;
      next.archive();
      this.#archiveHead += 1;
    }
    if (this.#archiveHead > 1024 && this.#archiveHead * 2 > this.#toArchive.length) {
      this.#toArchive.splice(0, this.#archiveHead);
      this.#archiveHead = 0;
    }
  }

  /**
   * What a request of a batch beginning at `now` finds in the cache: only what batches that had
   * ended by then left there, never a write of its own batch, whose requests run concurrently.
   */
  #readCache(request: AcceptedRequest, now: number): AcceptedRequest {
    const answer = request.answer;
    if ('invalid' in answer || answer.cachePrefixes.length === 0) return request;
    const cacheReadCount = this.promptCache.readCount(answer.cachePrefixes, now);
    return cacheReadCount === 0 ? request : { ...request, answer: { ...answer, cacheReadCount } };
  }
}

/** Index of the first batch whose sequence is >= `sequence`. */
function lowerBound(batches: SimulatedBatch[], sequence: number): number {
  let low = 0;
  let high = batches.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (batches[mid]!.sequence < sequence) low = mid + 1;
    else high = mid;
  }
  return low;
}
