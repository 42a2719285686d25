import type { AnthropicApiVersion } from '../../domain/anthropic-api/api-version.js';
import { LIST_LIMITS } from '../message-batch.limits.js';
import { acceptBatchEnvelope } from './batch-envelope.js';
import { resultLine } from './result-line.js';
import { invalidRequest, notFound, SimulatedApiError } from './simulated-api.error.js';
import type { SimulatedBatch } from './simulated-batch.js';
import { sequenceOfBatchId } from './simulator-ids.js';
import type { SimulatorState } from './simulator-state.js';

/**
 * What each Message Batches endpoint does, free of HTTP: the routes parse the
 * call, these answer it (or throw a SimulatedApiError). `origin` is the
 * scheme and host the caller reached us on, for absolute results URLs.
 */
export function createBatch(
  state: SimulatorState,
  body: unknown,
  origin: string,
  call: { version: AnthropicApiVersion; betas: readonly string[] },
) {
  const now = state.nowMs();
  const requests = acceptBatchEnvelope(body, {
    version: call.version,
    betas: call.betas,
    catalogue: { models: state.settings.models, source: 'api' },
    now: new Date(now),
  });
  const waiting = state.registry.waitingRequests();
  if (waiting + requests.length > state.settings.processingQueueLimit) {
    state.rateLimited += 1;
    throw new SimulatedApiError(
      429,
      'rate_limit_error',
      `Number of requests in the processing queue would exceed ${state.settings.processingQueueLimit} ` +
        `(${waiting} waiting, ${requests.length} more asked)`,
      { 'retry-after': String(state.faults.retryAfterSeconds) },
    );
  }
  const batch = state.registry.create({
    requests,
    now,
    latencyMs: state.settings.latencyMs,
    cancelLatencyMs: state.settings.cancelLatencyMs,
    seed: state.settings.seed,
    erroredResultRates: state.faults.erroredResultRates,
    unstorableTextRate: state.faults.unstorableTextRate,
  });
  return batch.toJson(now, origin);
}

export function retrieveBatch(state: SimulatorState, id: string, origin: string) {
  const now = state.nowMs();
  return visibleBatch(state, id, now).toJson(now, origin);
}

export interface ListQuery {
  limit?: string | undefined;
  before_id?: string | undefined;
  after_id?: string | undefined;
}

export function listBatches(state: SimulatorState, query: ListQuery, origin: string) {
  const limit = parseLimit(query.limit);
  if (query.before_id !== undefined && query.after_id !== undefined) {
    throw invalidRequest('before_id and after_id cannot be used together');
  }
  const now = state.nowMs();
  const page = state.registry.page({
    limit,
    beforeSequence: cursor('before_id', query.before_id),
    afterSequence: cursor('after_id', query.after_id),
  });
  const data = page.batches.map((batch) => batch.toJson(now, origin));
  return {
    data,
    has_more: page.hasMore,
    first_id: data[0]?.id ?? null,
    last_id: data.at(-1)?.id ?? null,
  };
}

export function cancelBatch(state: SimulatorState, id: string, origin: string) {
  const now = state.nowMs();
  const batch = visibleBatch(state, id, now);
  const status = batch.statusAt(now);
  if (status === 'ended') {
    throw invalidRequest(`Batch ${id} has already ended and cannot be canceled`);
  }
  if (status === 'in_progress') batch.cancel(now);
  return batch.toJson(now, origin);
}

export function deleteBatch(state: SimulatorState, id: string) {
  const now = state.nowMs();
  const batch = visibleBatch(state, id, now);
  if (batch.statusAt(now) !== 'ended') {
    throw invalidRequest(
      `Batch ${id} is still processing; cancel it and wait for it to end before deleting it`,
    );
  }
  state.registry.delete(batch);
  return { id, type: 'message_batch_deleted' as const };
}

/** The results file's lines (produced one at a time as the download reads them) and how many. */
export function batchResultLines(
  state: SimulatorState,
  id: string,
): { lines: Iterable<string>; count: number } {
  const now = state.nowMs();
  const batch = visibleBatch(state, id, now);
  if (batch.statusAt(now) !== 'ended') {
    throw invalidRequest(`Batch ${id} has not finished processing; results are not available yet`);
  }
  const requests = batch.requestsInResultOrder();
  if (!requests) {
    throw new SimulatedApiError(
      404,
      'not_found_error',
      `Results for batch ${id} have been archived`,
    );
  }
  const lines = mapIterable(requests, ({ request, index }) =>
    resultLine(batch.id, request, index, batch.outcomeOf(request, index)),
  );
  return { lines, count: batch.requestCount };
}

/** A batch by id, as the caller may see it: freshly created ones can hide for a moment (a fault). */
function visibleBatch(state: SimulatorState, id: string, now: number): SimulatedBatch {
  const batch = state.registry.get(id);
  if (!batch) throw notFound(`Message batch ${id}`);
  if (now - batch.createdAt < state.faults.transientNotFoundMs) {
    state.faultsInjected.not_found += 1;
    throw notFound(`Message batch ${id}`);
  }
  return batch;
}

function parseLimit(raw: string | undefined): number {
  if (raw === undefined) return LIST_LIMITS.default;
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < LIST_LIMITS.min || limit > LIST_LIMITS.max) {
    throw invalidRequest(`limit: must be an integer from ${LIST_LIMITS.min} to ${LIST_LIMITS.max}`);
  }
  return limit;
}

function cursor(name: string, id: string | undefined): number | undefined {
  if (id === undefined) return undefined;
  const sequence = sequenceOfBatchId(id);
  if (sequence === undefined) throw invalidRequest(`${name}: not a message batch id`);
  return sequence;
}

function* mapIterable<T, U>(items: Iterable<T>, map: (item: T) => U): Generator<U> {
  for (const item of items) yield map(item);
}
