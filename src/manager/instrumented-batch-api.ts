import { AnthropicFailure } from '../domain/anthropic.errors.js';
import type { BatchApi } from '../machines/batch-api.port.js';
import { anthropicCalls, anthropicErrors } from '../observability/metrics.js';

/** Counts every Message Batches call and failure (by type) for /metrics. */
export function instrumentBatchApi(api: BatchApi): BatchApi {
  const count = async <T>(operation: string, call: () => Promise<T>): Promise<T> => {
    anthropicCalls.inc({ operation });
    try {
      return await call();
    } catch (error) {
      anthropicErrors.inc({
        operation,
        type: error instanceof AnthropicFailure ? error.type : 'unknown',
      });
      throw error;
    }
  };
  return {
    createBatch: (requests, options) => count('create', () => api.createBatch(requests, options)),
    getBatchStatus: (id) => count('retrieve', () => api.getBatchStatus(id)),
    refreshBatches: (ids) => count('refresh', () => api.refreshBatches(ids)),
    cancelBatch: (id) => count('cancel', () => api.cancelBatch(id)),
    results: (id, options) => countStream('results', api.results(id, options)),
    listAllBatches: (options) => countStream('list', api.listAllBatches(options)),
    ...(api.countTokens
      ? {
          countTokens: (params, options) =>
            count('count_tokens', () => api.countTokens!(params, options)),
        }
      : {}),
  };
}

async function* countStream<T>(operation: string, stream: AsyncIterable<T>): AsyncGenerator<T> {
  anthropicCalls.inc({ operation });
  try {
    yield* stream;
  } catch (error) {
    anthropicErrors.inc({
      operation,
      type: error instanceof AnthropicFailure ? error.type : 'unknown',
    });
    throw error;
  }
}
