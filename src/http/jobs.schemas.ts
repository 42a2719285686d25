import { z } from '@hono/zod-openapi';
import { JobConfigSchema, MaxCostUsdSchema } from '../domain/job-config.schema.js';
import { JOB_STATUSES } from '../domain/job-status.js';
import { refineStorableText } from '../domain/storable-json.js';
import { CachePrimingViewSchema } from './cache-priming.schemas.js';
import { CacheReportSchema } from './cache-report.schemas.js';
import { CACHE_TOKEN_FIELDS, CostSplitSchema } from './cost.schemas.js';
import { errorResponse } from './error.schema.js';
import { JOB_NOT_FOUND_EXAMPLE } from './jobs.examples.js';

/** The OpenAPI tag of every job route. */
export const JOBS_TAG = 'jobs';

const Timestamp = z.string().openapi({ format: 'date-time', example: '2026-03-14T09:26:53.589Z' });
const JobStatusWire = z.enum(JOB_STATUSES as [string, ...string[]]).openapi({ example: 'queued' });

/** The `{id}` path parameter of every `/v1/jobs/{id}...` route. */
export const JobIdParams = z.object({
  id: z
    .string()
    .min(1)
    .max(200)
    .superRefine(refineStorableText)
    .openapi({
      param: { name: 'id', in: 'path' },
      description: 'the job id',
      example: 'job_mx4n0k3y53037223ab5acf20',
    }),
});

/** The 404 of every `/v1/jobs/{id}...` route. */
export const jobNotFoundResponse = errorResponse(
  'no such job for this tenant',
  JOB_NOT_FOUND_EXAMPLE,
);

/** POST /v1/jobs as JSON: createJob's config; the Idempotency-Key travels as a header. */
export const CreateJobBodySchema = JobConfigSchema.omit({ idempotencyKey: true }).openapi(
  'CreateJobRequest',
);

export const JobProgressSchema = z
  .object({
    total: z.number().int(),
    pending: z.number().int(),
    processing: z.number().int(),
    completed: z.number().int(),
    failed: z.number().int(),
    cancelled: z.number().int(),
    expired: z.number().int(),
    percentComplete: z.number().openapi({ description: '0..100, rounded down; 100 means done' }),
  })
  .openapi('JobProgress');

/** A tenant's daily budget and what counts against it on the UTC day (domain/tenant-budget.ts). */
export const TenantDailyBudgetSchema = z
  .object({
    dailyBudgetUsd: z.number().openapi({ description: 'USD a UTC day, at batch prices' }),
    spentTodayUsd: z
      .number()
      .openapi({ description: "cost of the tenant's results collected today (UTC)" }),
    inFlightWorstUsd: z
      .number()
      .openapi({ description: 'the worst case of its sub-batches sent and not collected yet' }),
  })
  .openapi('TenantDailyBudget');

const JobBudgetSchema = z
  .object({
    maxCostUsd: z.number().nullable().openapi({ description: "the job's cap, USD (null: none)" }),
    overBudget: z.enum(['pause', 'error']).openapi({
      description:
        'requests that do not fit a budget wait (pause) or end as budget_exceeded (error)',
    }),
    pausedFor: z.enum(['budget', 'tenant-budget', 'caller']).nullable().openapi({
      description:
        "why the job is paused: its cap, its tenant's daily budget, or a caller (null: not paused)",
    }),
    tenantDaily: TenantDailyBudgetSchema.optional().openapi({
      description: "GET /v1/jobs/{id}, for a tenant with a daily budget: today's spend against it",
    }),
  })
  .openapi('JobBudget');

export const JobSummarySchema = z
  .object({
    id: z.string(),
    status: JobStatusWire,
    priority: z.number().int().openapi({ description: '1 (CRITICAL) .. 5 (BACKGROUND)' }),
    totalRequests: z.number().int(),
    uniqueRequests: z.number().int(),
    deduplicatedRequests: z.number().int(),
    createdAt: Timestamp,
    expiresAt: Timestamp,
  })
  .openapi('JobSummary');

/** The 201 of POST /v1/jobs: the summary, and a callback's secret when createJob generated it. */
export const CreatedJobSchema = JobSummarySchema.extend({
  webhookSecret: z
    .string()
    .optional()
    .openapi({
      description:
        'present when `callbackUrl` was given without `webhookSecret`: the secret generated to sign ' +
        'its deliveries, shown this once (a replay of the Idempotency-Key does not show it again)',
      example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    }),
}).openapi('CreatedJob');

export const JobSchema = JobSummarySchema.extend({
  tenant: z.string(),
  step: z.string().nullable().openapi({ description: 'the inner step of a processing job' }),
  progress: JobProgressSchema,
  metadata: z.record(z.string(), z.unknown()),
  tags: z.array(z.string()),
  timeoutMs: z.number().int(),
  callbackUrl: z.string().nullable(),
  updatedAt: Timestamp,
  queuedAt: Timestamp.nullable(),
  startedAt: Timestamp.nullable(),
  completedAt: Timestamp.nullable(),
  retryCount: z.number().int(),
  cancelRequested: z.boolean(),
  failureReason: z.string().nullable(),
  usage: z.object({
    inputTokens: z.number().int(),
    outputTokens: z.number().int(),
    ...CACHE_TOKEN_FIELDS,
    costUsd: z.number().nullable().openapi({
      description:
        "Estimated USD at batch prices; null when a result's model has no price in the table (unknown, never 0)",
    }),
    cost: CostSplitSchema.nullable().openapi({
      description:
        'costUsd split by kind, with the standard price; null when unknown (an unpriced model, or results collected before splits were kept)',
    }),
  }),
  cache: CacheReportSchema,
  batchIds: z.array(z.string()),
  errorCount: z.number().int().openapi({
    description: 'Errored results collected: finalErrorCount + retriedErrorCount',
  }),
  finalErrorCount: z.number().int().openapi({
    description: "Errored results that are their request's final outcome (the request failed)",
  }),
  retriedErrorCount: z.number().int().openapi({
    description: 'Errored attempts that were sent again; a later attempt may have succeeded',
  }),
  retryOf: z.string().nullable().openapi({
    description: 'the job whose failed requests this one sends again (POST /v1/jobs/{id}/retry)',
  }),
  retries: z
    .array(z.string())
    .openapi({ description: 'the jobs that retry this one, oldest first' }),
  budget: JobBudgetSchema,
  cachePriming: CachePrimingViewSchema.optional(),
}).openapi('Job');

const BatchSchema = z
  .object({
    batchKey: z.string(),
    batchId: z.string().nullable().openapi({ description: "Anthropic's batch id, once created" }),
    attempt: z.number().int(),
    requestCount: z.number().int(),
    status: z.string(),
    submittedAt: Timestamp.nullable(),
    endedAt: Timestamp.nullable(),
    collectedAt: Timestamp.nullable(),
  })
  .openapi('JobBatch');

export const JobDetailsSchema = JobSchema.extend({
  batches: z.array(BatchSchema),
  errors: z
    .array(
      z.object({
        customId: z.string(),
        type: z.string().nullable(),
        message: z.string().nullable(),
        final: z.boolean(),
        at: Timestamp,
      }),
    )
    .openapi({ description: 'the latest errors (at most 20)' }),
}).openapi('JobDetails');

export const JobListSchema = z
  .object({
    jobs: z.array(JobSchema),
    total: z.number().int(),
    limit: z.number().int(),
    offset: z.number().int(),
  })
  .openapi('JobList');

export const TransitionResultSchema = z
  .object({ id: z.string(), previousStatus: JobStatusWire, status: JobStatusWire })
  .openapi('JobTransitionResult');

/** PATCH /v1/jobs/{id}: what may change while a job runs. */
export const ChangeJobBodySchema = z
  .strictObject({
    maxCostUsd: MaxCostUsdSchema.nullable().openapi({
      description:
        'the most the job may be billed, USD at batch prices; null removes the cap. Raising it ' +
        'resumes a job paused for its budget',
    }),
  })
  .openapi('JobChange');

export const BudgetChangeResultSchema = TransitionResultSchema.extend({
  maxCostUsd: z.number().nullable(),
}).openapi('JobBudgetChangeResult');

export const CancelResultSchema = TransitionResultSchema.extend({
  cancelled: z.boolean().openapi({
    description: 'false while batches at Anthropic are still being cancelled',
  }),
}).openapi('JobCancelResult');

export const DeleteResultSchema = z
  .object({ id: z.string(), deleted: z.literal(true), previousStatus: JobStatusWire })
  .openapi('JobDeleteResult');

export const JobEventSchema = z
  .object({
    position: z.number().int().openapi({ description: 'the global position in the event log' }),
    version: z.number().int().openapi({ description: "the event's place in the job's stream" }),
    type: z.string().openapi({ example: 'JobQueued' }),
    data: z.unknown(),
    metadata: z.record(z.string(), z.unknown()),
    recordedAt: Timestamp,
  })
  .openapi('JobEvent');

export const JobEventLogSchema = z
  .object({ jobId: z.string(), events: z.array(JobEventSchema) })
  .openapi('JobEventLog');

export const JobStatsSchema = z
  .object({
    totalCreated: z.number().int(),
    totalCompleted: z.number().int(),
    totalFailed: z.number().int(),
    totalCancelled: z.number().int(),
    totalExpired: z.number().int(),
    totalDeduplicated: z.number().int(),
    averageProcessingTime: z.number().openapi({ description: 'milliseconds' }),
    inputTokens: z.number().int(),
    outputTokens: z.number().int(),
    ...CACHE_TOKEN_FIELDS,
    costUsd: z.number(),
    cost: CostSplitSchema.openapi({
      description:
        'the known cost splits summed (a job whose split is unknown adds to costUsd only)',
    }),
    cache: CacheReportSchema,
    byStatus: z.record(z.string(), z.number().int()),
    queueDepth: z.number().int().openapi({ description: 'pending and queued jobs' }),
    tenantDaily: TenantDailyBudgetSchema.nullable().optional().openapi({
      description: "the tenant's daily budget and today's spend (null: it has none)",
    }),
  })
  .openapi('JobStats');
