import type { ReportedUsage } from '../domain/job-cost.js';
import type { MessageParams } from '../domain/request.schema.js';

/** A Message Batch as the pipeline needs to see it. */
export interface RemoteBatch {
  id: string;
  processing_status: 'in_progress' | 'canceling' | 'ended';
  created_at: string;
  /** Where the results can be downloaded once the batch has ended. */
  results_url?: string | null;
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
        message: { model?: string; usage?: ReportedUsage };
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
    options?: {
      signal?: AbortSignal | undefined;
      /** The `anthropic-version` to send (the job's); default: the gateway's own. */
      anthropicVersion?: string | undefined;
    },
  ): Promise<RemoteBatch>;
  getBatchStatus(batchId: string): Promise<RemoteBatch>;
  /**
   * Many batches' states at the least cost in calls: list pages (many batches a call),
   * retrieving only what the pages did not show. `missing`: ids Anthropic does not know.
   */
  refreshBatches(
    batchIds: Iterable<string>,
  ): Promise<{ batches: Map<string, RemoteBatch>; missing: string[] }>;
  cancelBatch(batchId: string): Promise<RemoteBatch>;
  /** The results of an ended batch; with `resultsUrl` (from a listing) no status call is made first. */
  results(
    batchId: string,
    options?: { resultsUrl?: string | undefined },
  ): AsyncIterable<RemoteResult>;
  listAllBatches(options: { createdAfter?: Date | undefined }): AsyncIterable<RemoteBatch>;
  /** A request's input tokens (`POST /v1/messages/count_tokens`); absent: estimates are refused. */
  countTokens?(
    params: MessageParams,
    options?: { anthropicVersion?: string | undefined },
  ): Promise<number>;
}
