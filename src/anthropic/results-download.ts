import {
  AnthropicConnectionError,
  BatchResultsUnavailableError,
  MalformedResultLineError,
} from '../domain/anthropic.errors.js';
import type { CallOptions } from './anthropic-gateway.options.js';
import type { BatchResult, MessageBatch } from './batch.types.js';
import { parseResults } from './results-parser.js';
import type { RetryingCaller } from './retrying-caller.js';

/** Opens the download of a results file (one HTTP GET, with the caller's signal). */
export type OpenDownload = (url: string, signal?: AbortSignal) => Promise<Response>;

/**
 * A batch's results, one typed line at a time, read as a stream (never the whole file in
 * memory). If the download is cut, it starts again (after the caller's backoff, up to its
 * retries) and skips the lines already given. A malformed line, or the caller's abort, ends it.
 */
export async function* downloadResults(
  caller: RetryingCaller,
  open: OpenDownload,
  batchId: string,
  url: string,
  options: CallOptions,
): AsyncGenerator<BatchResult> {
  const given = new Set<string>();
  for (let attempt = 0; ; attempt += 1) {
    const response = await caller.call((signal) => open(url, signal), {
      signal: options.signal,
      batchId,
    });
    if (!response.body) throw new AnthropicConnectionError('the results answer had no body');
    try {
      for await (const line of parseResults(response.body)) {
        if (given.has(line.custom_id)) continue;
        given.add(line.custom_id);
        yield line;
      }
      return;
    } catch (error) {
      if (error instanceof MalformedResultLineError || options.signal?.aborted) throw error;
      const cut = new AnthropicConnectionError('the results download was cut', { cause: error });
      if (attempt >= caller.maxRetries) throw cut;
      await caller.waitBeforeRetry(attempt, undefined, options.signal);
    }
  }
}

/** Where an ended batch's results are; a batch not ended, or archived, has none to read. */
export function resultsUrlOf(batchId: string, batch: MessageBatch): string {
  if (batch.archived_at !== null) throw new BatchResultsUnavailableError(batchId, 'archived');
  if (batch.processing_status !== 'ended' || batch.results_url === null) {
    throw new BatchResultsUnavailableError(batchId, 'not_ended');
  }
  return batch.results_url;
}
