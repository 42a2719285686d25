import { MESSAGE_BATCH_LIMITS } from '../message-batch.limits.js';
import type { AcceptedRequest } from './batch-envelope.js';
import { toRfc3339Micros, toRfc3339MicrosOrNull } from './rfc3339.js';
import { hashToUnit } from './seeded-random.js';
import { INJECTED_RESULT_ERROR_TYPES, type InjectedResultErrorType } from './simulator.options.js';

/** What became of one request once its batch ended. */
export type RequestOutcome =
  | { type: 'succeeded'; unstorableText?: boolean }
  | { type: 'errored'; errorType: string; message: string }
  | { type: 'canceled' }
  | { type: 'expired' };

export interface RequestCounts {
  processing: number;
  succeeded: number;
  errored: number;
  canceled: number;
  expired: number;
}

export type ProcessingStatus = 'in_progress' | 'canceling' | 'ended';

export interface SimulatedBatchInit {
  id: string;
  sequence: number;
  createdAt: number;
  requests: AcceptedRequest[];
  latencyMs: number;
  cancelLatencyMs: number;
  seed: number;
  erroredResultRates: Partial<Record<InjectedResultErrorType, number>>;
  /** Fraction of succeeded results given text Postgres cannot store (default: 0). */
  unstorableTextRate?: number;
}

const INJECTED_ERROR_MESSAGES: Record<InjectedResultErrorType, string> = {
  overloaded_error: 'Overloaded',
  api_error: 'Internal server error',
};

/**
 * One batch on the simulator. Nothing runs in the background: where a batch
 * stands is worked out from the clock whenever it is asked. Request i of n is
 * done at created + latency * (i + 1) / n; a cancel or the 24 h expiry stops
 * the requests not done by then. Times are epoch milliseconds.
 */
export class SimulatedBatch {
  readonly id: string;
  readonly sequence: number;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly archivesAt: number;
  readonly requestCount: number;
  readonly #latencyMs: number;
  readonly #cancelLatencyMs: number;
  readonly #seed: number;
  readonly #erroredResultRates: Partial<Record<InjectedResultErrorType, number>>;
  readonly #unstorableTextRate: number;
  #requests: AcceptedRequest[] | null;
  #cancelInitiatedAt: number | null = null;
  #settledCounts: RequestCounts | null = null;

  constructor(init: SimulatedBatchInit) {
    this.id = init.id;
    this.sequence = init.sequence;
    this.createdAt = init.createdAt;
    this.expiresAt = init.createdAt + MESSAGE_BATCH_LIMITS.expiresAfterMs;
    this.archivesAt = init.createdAt + MESSAGE_BATCH_LIMITS.archivedAfterMs;
    this.requestCount = init.requests.length;
    this.#requests = init.requests;
    this.#latencyMs = init.latencyMs;
    this.#cancelLatencyMs = init.cancelLatencyMs;
    this.#seed = init.seed;
    this.#erroredResultRates = { ...init.erroredResultRates };
    this.#unstorableTextRate = init.unstorableTextRate ?? 0;
  }

  /** When processing ends: all requests done, the cancel finished, or the batch expired. */
  get endsAt(): number {
    const end =
      this.#cancelInitiatedAt === null
        ? this.createdAt + this.#latencyMs
        : this.#cancelInitiatedAt + this.#cancelLatencyMs;
    return Math.min(end, this.expiresAt);
  }

  get cancelInitiatedAt(): number | null {
    return this.#cancelInitiatedAt;
  }

  get isSettled(): boolean {
    return this.#settledCounts !== null;
  }

  get isArchived(): boolean {
    return this.#requests === null;
  }

  statusAt(now: number): ProcessingStatus {
    if (now >= this.endsAt) return 'ended';
    return this.#cancelInitiatedAt === null ? 'in_progress' : 'canceling';
  }

  /** Starts canceling at `now`; the caller has checked the batch is in progress. */
  cancel(now: number): void {
    this.#cancelInitiatedAt = now;
  }

  /**
   * Fixes the outcome of every request once the batch has ended, calling
   * `onOutcome` for each (in request order) exactly once in the batch's life.
   */
  settle(onOutcome: (request: AcceptedRequest, outcome: RequestOutcome) => void): void {
    if (this.#settledCounts || !this.#requests) return;
    const counts: RequestCounts = {
      processing: 0,
      succeeded: 0,
      errored: 0,
      canceled: 0,
      expired: 0,
    };
    this.#requests.forEach((request, index) => {
      const outcome = this.outcomeOf(request, index);
      counts[outcome.type] += 1;
      onOutcome(request, outcome);
    });
    this.#settledCounts = counts;
  }

  /** Drops the requests: the results are gone, the counts stay. */
  archive(): void {
    this.#requests = null;
  }

  /** The requests in the order results are written, or null once archived. */
  requestsInResultOrder(): Iterable<{ request: AcceptedRequest; index: number }> | null {
    const requests = this.#requests;
    if (!requests) return null;
    return scrambledOrder(requests);
  }

  /** What became of request `index` (valid once the batch has ended). */
  outcomeOf(request: AcceptedRequest, index: number): RequestOutcome {
    const doneAt = this.createdAt + (this.#latencyMs * (index + 1)) / this.requestCount;
    const stoppedAt = Math.min(this.#cancelInitiatedAt ?? Number.POSITIVE_INFINITY, this.expiresAt);
    if (doneAt > stoppedAt) {
      return this.#cancelInitiatedAt !== null && this.#cancelInitiatedAt <= this.expiresAt
        ? { type: 'canceled' }
        : { type: 'expired' };
    }
    if ('invalid' in request.answer) {
      return {
        type: 'errored',
        errorType: request.answer.errorType,
        message: request.answer.invalid,
      };
    }
    const injected = this.#injectedError(index);
    if (injected)
      return { type: 'errored', errorType: injected, message: INJECTED_ERROR_MESSAGES[injected] };
    // A draw of its own (a fourth part), so it does not follow the errored-result draw.
    return hashToUnit(this.#seed, this.sequence, index, 1) < this.#unstorableTextRate
      ? { type: 'succeeded', unstorableText: true }
      : { type: 'succeeded' };
  }

  /** The MessageBatch object as the API shows it at `now`; `origin` makes results_url absolute. */
  toJson(now: number, origin: string) {
    const status = this.statusAt(now);
    const ended = status === 'ended';
    const counts = ended ? this.#settledCounts : null;
    return {
      id: this.id,
      type: 'message_batch' as const,
      processing_status: status,
      request_counts: counts ?? {
        processing: this.requestCount,
        succeeded: 0,
        errored: 0,
        canceled: 0,
        expired: 0,
      },
      ended_at: ended ? toRfc3339Micros(this.endsAt) : null,
      created_at: toRfc3339Micros(this.createdAt),
      expires_at: toRfc3339Micros(this.expiresAt),
      archived_at: now >= this.archivesAt ? toRfc3339Micros(this.archivesAt) : null,
      cancel_initiated_at: toRfc3339MicrosOrNull(this.#cancelInitiatedAt),
      results_url: ended ? `${origin}/v1/messages/batches/${this.id}/results` : null,
    };
  }

  #injectedError(index: number): InjectedResultErrorType | undefined {
    const draw = hashToUnit(this.#seed, this.sequence, index);
    let threshold = 0;
    for (const type of INJECTED_RESULT_ERROR_TYPES) {
      threshold += this.#erroredResultRates[type] ?? 0;
      if (draw < threshold) return type;
    }
    return undefined;
  }
}

/**
 * Results are not in request order on the real API either: walk the requests
 * with a stride coprime to their count, a fixed permutation that costs nothing.
 */
function* scrambledOrder(
  requests: AcceptedRequest[],
): Generator<{ request: AcceptedRequest; index: number }> {
  const n = requests.length;
  const stride = [7919, 7907, 7901, 7883].find((prime) => n % prime !== 0)!;
  for (let k = 0; k < n; k++) {
    const index = (k * stride + 3) % n;
    yield { request: requests[index]!, index };
  }
}
