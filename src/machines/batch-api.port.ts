import type { MessageParams } from '../domain/request.schema.js';

/** A Message Batch as the pipeline needs to see it. */
export interface RemoteBatch {
  id: string;
  processing_status: 'in_progress' | 'canceling' | 'ended';
  created_at: string;
  request_counts: {
    processing: number;
    succeeded: number;
    errored: number;
    canceled: number;
    expired: number;
  };
}

/** One result line: `{custom_id, result}` as Anthropic sends it. */
export interface RemoteResult {
  custom_id: string;
  result:
    | {
        type: 'succeeded';
        message: { model?: string; usage?: { input_tokens?: number; output_tokens?: number } };
      }
    | { type: 'errored'; error: { type?: string; error?: { type?: string; message?: string } } }
    | { type: 'canceled' }
    | { type: 'expired' };
}

/**
 * What the pipeline needs from Anthropic. The gateway in src/anthropic
 * implements it; errors are the AnthropicFailure family (src/domain).
 */
export interface BatchApi {
  /**
   * Aborting `signal` stops the call: before a request is out, nothing was created; while one
   * is out, it throws BatchCreationUnconfirmedError (the batch may exist).
   */
  createBatch(
    requests: ReadonlyArray<{ custom_id: string; params: MessageParams }>,
    options?: { signal?: AbortSignal | undefined },
  ): Promise<RemoteBatch>;
  getBatchStatus(batchId: string): Promise<RemoteBatch>;
  cancelBatch(batchId: string): Promise<RemoteBatch>;
  results(batchId: string): AsyncIterable<RemoteResult>;
  listAllBatches(options: { createdAfter?: Date | undefined }): AsyncIterable<RemoteBatch>;
}
