import type { z } from '@hono/zod-openapi';
import { CACHE_REPORT_EXAMPLE } from './cache-report.schemas.js';
import { COST_SPLIT_EXAMPLE } from './cost.schemas.js';
import type {
  CancelResultSchema,
  CreateJobBodySchema,
  DeleteResultSchema,
  JobDetailsSchema,
  JobEventLogSchema,
  JobListSchema,
  JobSchema,
  JobStatsSchema,
  JobSummarySchema,
  TransitionResultSchema,
} from './jobs.schemas.js';

// The examples of the OpenAPI document: one job of the requests in examples/requests.jsonl, as
// the routes answer it. Typed by the schemas, and checked against them again by the lint test.

/** A job id as createJob makes them. */
export const JOB_ID_EXAMPLE = 'job_mx4n0k3y53037223ab5acf20';
const BATCH_ID = 'msgbatch_013Zva2CMHLNnXjNJJKqJ2EF';

/** Two requests of examples/requests.jsonl: `{custom_id, params}` exactly as Anthropic takes them. */
const REQUESTS = [
  {
    custom_id: 'capital-france',
    params: {
      model: 'claude-sonnet-5-5',
      max_tokens: 256,
      messages: [{ role: 'user', content: 'What is the capital of France? Answer in one word.' }],
    },
  },
  {
    custom_id: 'summarise-batching',
    params: {
      model: 'claude-sonnet-5-5',
      max_tokens: 512,
      system: 'You are a concise technical writer.',
      messages: [
        {
          role: 'user',
          content: 'In two sentences, explain why batching API requests lowers their cost.',
        },
      ],
    },
  },
] satisfies z.input<typeof CreateJobBodySchema>['requests'];

export const CREATE_JOB_EXAMPLE: z.input<typeof CreateJobBodySchema> = {
  requests: REQUESTS,
  priority: 'HIGH',
  tags: ['nightly', 'team:search'],
  metadata: { pipeline: 'faq-refresh', run: 412 },
  callbackUrl: 'https://hooks.acme.dev/batchkeeper',
};

/** The same job as NDJSON, one request a line. */
export const CREATE_JOB_NDJSON_EXAMPLE = `${REQUESTS.map((r) => JSON.stringify(r)).join('\n')}\n`;

export const JOB_SUMMARY_EXAMPLE: z.input<typeof JobSummarySchema> = {
  id: JOB_ID_EXAMPLE,
  status: 'queued',
  priority: 2,
  totalRequests: 2,
  uniqueRequests: 2,
  deduplicatedRequests: 0,
  createdAt: '2026-03-14T09:26:53.589Z',
  expiresAt: '2026-03-15T09:26:53.589Z',
};

export const JOB_EXAMPLE: z.input<typeof JobSchema> = {
  ...JOB_SUMMARY_EXAMPLE,
  status: 'completed',
  tenant: 'acme',
  step: null,
  progress: {
    total: 2,
    pending: 0,
    processing: 0,
    completed: 2,
    failed: 0,
    cancelled: 0,
    expired: 0,
    percentComplete: 100,
  },
  metadata: { pipeline: 'faq-refresh', run: 412 },
  tags: ['nightly', 'team:search'],
  timeoutMs: 86_400_000,
  callbackUrl: 'https://hooks.acme.dev/batchkeeper',
  updatedAt: '2026-03-14T09:41:07.212Z',
  queuedAt: '2026-03-14T09:26:53.589Z',
  startedAt: '2026-03-14T09:26:54.031Z',
  completedAt: '2026-03-14T09:41:07.212Z',
  retryCount: 0,
  cancelRequested: false,
  failureReason: null,
  usage: {
    inputTokens: 48,
    outputTokens: 61,
    cacheWrite5mTokens: 120,
    cacheWrite1hTokens: 0,
    cacheReadTokens: 190,
    costUsd: 0.000522,
    cost: COST_SPLIT_EXAMPLE,
  },
  cache: CACHE_REPORT_EXAMPLE,
  batchIds: [BATCH_ID],
  errorCount: 0,
  finalErrorCount: 0,
  retriedErrorCount: 0,
  retryOf: null,
  retries: [],
  budget: { maxCostUsd: 25, overBudget: 'pause', pausedFor: null },
};

export const JOB_DETAILS_EXAMPLE: z.input<typeof JobDetailsSchema> = {
  ...JOB_EXAMPLE,
  batches: [
    {
      batchKey: 'b1',
      batchId: BATCH_ID,
      attempt: 1,
      requestCount: 2,
      status: 'collected',
      submittedAt: '2026-03-14T09:26:54.402Z',
      endedAt: '2026-03-14T09:41:06.880Z',
      collectedAt: '2026-03-14T09:41:07.212Z',
    },
  ],
  errors: [],
};

export const JOB_LIST_EXAMPLE: z.input<typeof JobListSchema> = {
  jobs: [JOB_EXAMPLE],
  total: 1,
  limit: 50,
  offset: 0,
};

export const PAUSE_RESULT_EXAMPLE: z.input<typeof TransitionResultSchema> = {
  id: JOB_ID_EXAMPLE,
  previousStatus: 'processing',
  status: 'paused',
};

export const RESUME_RESULT_EXAMPLE: z.input<typeof TransitionResultSchema> = {
  id: JOB_ID_EXAMPLE,
  previousStatus: 'paused',
  status: 'processing',
};

export const CANCEL_RESULT_EXAMPLE: z.input<typeof CancelResultSchema> = {
  id: JOB_ID_EXAMPLE,
  previousStatus: 'queued',
  status: 'cancelled',
  cancelled: true,
};

export const DELETE_RESULT_EXAMPLE: z.input<typeof DeleteResultSchema> = {
  id: JOB_ID_EXAMPLE,
  deleted: true,
  previousStatus: 'completed',
};

/** Two lines of a results download: one succeeded, one errored, in Anthropic's result shape. */
export const RESULT_LINES_EXAMPLE = `${[
  {
    custom_id: 'capital-france',
    result: {
      type: 'succeeded',
      message: {
        id: 'msg_01FqfsLoHwgeFbguDgpz48m7',
        type: 'message',
        role: 'assistant',
        model: 'claude-sonnet-5-5',
        content: [{ type: 'text', text: 'Paris.' }],
        stop_reason: 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: 21, output_tokens: 4, service_tier: 'batch' },
      },
    },
  },
  {
    custom_id: 'summarise-batching',
    result: {
      type: 'errored',
      error: {
        type: 'error',
        error: { type: 'overloaded_error', message: 'Overloaded' },
      },
    },
  },
]
  .map((line) => JSON.stringify(line))
  .join('\n')}\n`;

export const JOB_STATS_EXAMPLE: z.input<typeof JobStatsSchema> = {
  totalCreated: 128,
  totalCompleted: 119,
  totalFailed: 2,
  totalCancelled: 4,
  totalExpired: 0,
  totalDeduplicated: 37,
  averageProcessingTime: 912_400,
  inputTokens: 1_482_113,
  outputTokens: 603_950,
  cacheWrite5mTokens: 0,
  cacheWrite1hTokens: 0,
  cacheReadTokens: 0,
  costUsd: 6.75,
  cost: {
    inputUsd: 2.223169,
    outputUsd: 4.526831,
    cacheWrite5mUsd: 0,
    cacheWrite1hUsd: 0,
    cacheReadUsd: 0,
    webSearchUsd: 0,
    totalUsd: 6.75,
    standardUsd: 13.5,
    savingUsd: 6.75,
  },
  cache: { readTokens: 0, writeTokens: { fiveMinutes: 0, oneHour: 0 }, hitRate: null, savedUsd: 0 },
  byStatus: { completed: 119, failed: 2, cancelled: 4, processing: 2, queued: 1 },
  queueDepth: 1,
};

const EVENT_METADATA = {
  tenant: 'acme',
  instanceId: 'worker-1',
  correlationId: 'req_5f0c3a9e2b7d4e1f8a6c0b9d3e2f1a7c',
  schemaVersion: 2,
};

export const JOB_EVENT_LOG_EXAMPLE: z.input<typeof JobEventLogSchema> = {
  jobId: JOB_ID_EXAMPLE,
  events: [
    {
      position: 1041,
      version: 1,
      type: 'JobCreated',
      data: {
        jobId: JOB_ID_EXAMPLE,
        tenant: 'acme',
        priority: 2,
        totalRequests: 2,
        uniqueRequests: 2,
        deduplicatedRequests: 0,
        createdAt: '2026-03-14T09:26:53.589Z',
      },
      metadata: EVENT_METADATA,
      recordedAt: '2026-03-14T09:26:53.601Z',
    },
    {
      position: 1042,
      version: 2,
      type: 'JobQueued',
      data: { at: '2026-03-14T09:26:53.589Z' },
      metadata: EVENT_METADATA,
      recordedAt: '2026-03-14T09:26:53.601Z',
    },
    {
      position: 1057,
      version: 3,
      type: 'JobStarted',
      data: { at: '2026-03-14T09:26:54.031Z', instanceId: 'worker-1' },
      metadata: { tenant: 'acme', instanceId: 'worker-1', schemaVersion: 2 },
      recordedAt: '2026-03-14T09:26:54.040Z',
    },
  ],
};

/** A 404 of any `/v1/jobs/{id}...` route. */
export const JOB_NOT_FOUND_EXAMPLE = {
  type: 'not_found_error',
  message: `job ${JOB_ID_EXAMPLE} not found`,
};
