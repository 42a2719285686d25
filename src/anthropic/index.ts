export { AnthropicGateway } from './anthropic-gateway.js';
export type * from './anthropic-gateway.options.js';
export type {
  BatchPage,
  BatchProcessingStatus,
  BatchRequestInput,
  BatchResult,
  BatchResultOutcome,
  DeletedMessageBatch,
  MessageBatch,
  MessageBatchRequestCounts,
  ResultErrorEnvelope,
  ResultMessage,
} from './batch.types.js';
export type { BatchDefaults } from './batch-requests.js';
export { erroredResultType } from './batch-result.helpers.js';
export { LIST_LIMITS, MESSAGE_BATCH_LIMITS } from './message-batch.limits.js';
export { parseResults } from './results-parser.js';
