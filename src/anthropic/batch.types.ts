import type {
  DeletedMessageBatch,
  MessageBatch,
  MessageBatchRequestCounts,
} from '@anthropic-ai/sdk/resources/messages/batches';
import type { MessageParams } from '../domain/request.schema.js';

export type { DeletedMessageBatch, MessageBatch, MessageBatchRequestCounts };

/** A batch's processing status: `in_progress`, `canceling`, `ended`. */
export type BatchProcessingStatus = MessageBatch['processing_status'];

/** One request as createBatch takes it: params may leave out what the call's options fill in. */
export interface BatchRequestInput {
  custom_id: string;
  params: Omit<MessageParams, 'model' | 'max_tokens'> & { model?: string; max_tokens?: number };
}

/** The parts of a succeeded result's Message that a results line always has. */
export interface ResultMessage {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: Array<{ type: string; text?: string; [field: string]: unknown }>;
  stop_reason: string | null;
  stop_sequence?: string | null;
  usage: {
    input_tokens: number;
    output_tokens: number;
    cache_creation_input_tokens?: number | null;
    cache_read_input_tokens?: number | null;
    service_tier?: string | null;
    [field: string]: unknown;
  };
  [field: string]: unknown;
}

/** An errored result's error: a whole API error response, nested (`result.error.error.type`). */
export interface ResultErrorEnvelope {
  type: 'error';
  error: { type: string; message: string };
  request_id?: string | null;
}

/** What became of one request. */
export type BatchResultOutcome =
  | { type: 'succeeded'; message: ResultMessage }
  | { type: 'errored'; error: ResultErrorEnvelope }
  | { type: 'canceled' }
  | { type: 'expired' };

/** One line of a batch's results file. */
export interface BatchResult {
  custom_id: string;
  result: BatchResultOutcome;
}

/** One page of the batch list, newest first. */
export interface BatchPage {
  data: MessageBatch[];
  hasMore: boolean;
  /** Give as `beforeId` for the newer page. */
  firstId: string | null;
  /** Give as `afterId` for the older page. */
  lastId: string | null;
}
