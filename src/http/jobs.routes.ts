import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { NotFoundError, ValidationError } from '../domain/errors.js';
import { IDEMPOTENCY_KEY_PATTERN, type JobConfigInput } from '../domain/job-config.schema.js';
import { ListJobsFilterSchema } from '../domain/list-jobs.schema.js';
import type { BatchJobManager } from '../manager/batch-job-manager.js';
import { apiActor } from './api-actor.js';
import type { AppEnv } from './app-env.js';
import { createRouter } from './create-router.js';
import { errorResponse, unauthorizedResponse } from './error.schema.js';
import { readJobAsOf } from './job-as-of.js';
import {
  AsOfQuerySchema,
  asOfOutOfRangeResponse,
  JobDetailsAsOfSchema,
} from './job-as-of.schemas.js';
import { NdjsonJobOptionsSchema, readNdjsonJob } from './job-ndjson-upload.js';
import {
  CREATE_JOB_EXAMPLE,
  CREATE_JOB_NDJSON_EXAMPLE,
  DELETE_RESULT_EXAMPLE,
  JOB_DETAILS_EXAMPLE,
  JOB_LIST_EXAMPLE,
  JOB_SUMMARY_EXAMPLE,
} from './jobs.examples.js';
import {
  CreatedJobSchema,
  CreateJobBodySchema,
  DeleteResultSchema,
  JOBS_TAG,
  JobIdParams,
  JobListSchema,
  JobSummarySchema,
  jobNotFoundResponse,
} from './jobs.schemas.js';
import { isNdjsonContentType } from './ndjson-body.js';
import { jsonContent } from './openapi-content.js';

type CreateJobBody = z.output<typeof CreateJobBodySchema>;

/** The largest NDJSON upload read by default: 256 MiB, a Message Batch's own limit. */
export const DEFAULT_MAX_NDJSON_BODY_BYTES = 256 * 1024 * 1024;

export interface JobsRoutesDeps {
  manager: BatchJobManager;
  /** The largest NDJSON upload, in bytes (default: 256 MiB); JSON bodies have the app's limit. */
  maxNdjsonBodyBytes?: number | undefined;
  /** The longest NDJSON line, in bytes (default: 32 MiB, the Messages API's request limit). */
  maxNdjsonLineBytes?: number | undefined;
}

const createJobRoute = createRoute({
  method: 'post',
  path: '/v1/jobs',
  operationId: 'createJob',
  tags: [JOBS_TAG],
  summary: 'Create a job',
  description:
    'A JSON body `{requests, ...options}`, or `application/x-ndjson`: one `{custom_id, params}` a ' +
    'line, read as a stream, with the options as query parameters. The body is required; it is ' +
    'checked whole before anything is written. The same `Idempotency-Key` returns the same job.',
  request: {
    headers: z.object({
      'idempotency-key': z
        .string()
        .regex(IDEMPOTENCY_KEY_PATTERN, {
          error: 'Idempotency-Key must be 1 to 255 printable ASCII characters',
        })
        .optional()
        .openapi({
          description: 'the same key returns the same job',
          example: 'nightly-2026-03-14',
        }),
    }),
    query: NdjsonJobOptionsSchema,
    body: {
      // Required in fact; declared optional so an NDJSON body passes the JSON validator untouched.
      required: false,
      content: {
        'application/json': { schema: CreateJobBodySchema, example: CREATE_JOB_EXAMPLE },
        'application/x-ndjson': {
          schema: z.string().openapi({ description: 'one `{custom_id, params}` a line' }),
          example: CREATE_JOB_NDJSON_EXAMPLE,
        },
      },
    },
  },
  responses: {
    201: jsonContent(
      CreatedJobSchema,
      'created and queued (with the generated `webhookSecret` when a callback came without one)',
      JOB_SUMMARY_EXAMPLE,
    ),
    200: jsonContent(
      JobSummarySchema,
      'the job this Idempotency-Key already created',
      JOB_SUMMARY_EXAMPLE,
    ),
    400: errorResponse('invalid job (the issues name each path, or the NDJSON line)', {
      type: 'invalid_request_error',
      message:
        'invalid request body: requests.0.custom_id: custom_id must be 1 to 64 letters, ' +
        'digits, underscores or hyphens',
      issues: [
        {
          path: 'requests.0.custom_id',
          message: 'custom_id must be 1 to 64 letters, digits, underscores or hyphens',
        },
      ],
    }),
    401: unauthorizedResponse,
    409: errorResponse('the Idempotency-Key was used for a different job', {
      type: 'idempotency_conflict_error',
      message: 'Idempotency-Key "nightly-2026-03-14" was already used for a different job',
    }),
    413: errorResponse('the body is too large', {
      type: 'request_too_large',
      message: 'the request body is larger than 10485760 bytes',
    }),
    415: errorResponse('neither JSON nor NDJSON', {
      type: 'invalid_request_error',
      message: 'Unsupported Media Type',
    }),
    429: errorResponse('the queue is full; see retry-after', {
      type: 'queue_full_error',
      message: 'the queue is full (1000 jobs waiting); try again later',
    }),
  },
});

const listJobsRoute = createRoute({
  method: 'get',
  path: '/v1/jobs',
  operationId: 'listJobs',
  tags: [JOBS_TAG],
  summary: "The caller's jobs, a page at a time",
  description:
    '`priority=N` keeps jobs of that level or more urgent; `tags` (comma-separated) keeps jobs ' +
    'carrying any of them; `q` (at most 200 characters) keeps jobs whose id starts with it or ' +
    'whose tags or metadata values (at any depth; not keys) contain it, ignoring case. Unknown ' +
    'parameters are refused.',
  request: { query: ListJobsFilterSchema },
  responses: {
    200: jsonContent(JobListSchema, 'a page of jobs', JOB_LIST_EXAMPLE),
    400: errorResponse('invalid filter', {
      type: 'invalid_request_error',
      message: 'invalid query parameters: limit: limit must be an integer from 1 to 1000',
      issues: [{ path: 'limit', message: 'limit must be an integer from 1 to 1000' }],
    }),
    401: unauthorizedResponse,
  },
});

const getJobRoute = createRoute({
  method: 'get',
  path: '/v1/jobs/{id}',
  operationId: 'getJob',
  tags: [JOBS_TAG],
  summary: 'A job with its progress, batches and latest errors',
  description:
    '`asOf=VERSION`: the job as it was right after that event of its log (see `asOf` in the answer).',
  request: { params: JobIdParams, query: AsOfQuerySchema },
  responses: {
    200: jsonContent(JobDetailsAsOfSchema, 'the job', JOB_DETAILS_EXAMPLE),
    400: asOfOutOfRangeResponse,
    401: unauthorizedResponse,
    404: jobNotFoundResponse,
  },
});

const deleteJobRoute = createRoute({
  method: 'delete',
  path: '/v1/jobs/{id}',
  operationId: 'deleteJob',
  tags: [JOBS_TAG],
  summary: 'Delete a job (its batches in flight are cancelled; its events stay)',
  request: { params: JobIdParams },
  responses: {
    200: jsonContent(DeleteResultSchema, 'deleted', DELETE_RESULT_EXAMPLE),
    401: unauthorizedResponse,
    404: jobNotFoundResponse,
  },
});

/** `/v1/jobs`: create (JSON or streamed NDJSON, idempotent), list, get and delete jobs. */
export function jobsRoutes(deps: JobsRoutesDeps): OpenAPIHono<AppEnv> {
  const maxNdjsonBytes = deps.maxNdjsonBodyBytes ?? DEFAULT_MAX_NDJSON_BODY_BYTES;
  return createRouter()
    .openapi(createJobRoute, async (c) => {
      const jobs = deps.manager.forTenant(c.get('tenant'));
      const idempotencyKey = c.req.valid('header')['idempotency-key'];
      const options = c.req.valid('query');
      let config: JobConfigInput;
      if (isNdjsonContentType(c.req.header('content-type'))) {
        config = await readNdjsonJob(c.req.raw.body, options, {
          maxBytes: maxNdjsonBytes,
          maxLineBytes: deps.maxNdjsonLineBytes,
        });
      } else {
        if (Object.keys(options).length > 0) {
          throw new ValidationError(
            'query options are for NDJSON uploads; a JSON body carries its options itself',
          );
        }
        config = requireJsonBody(c.req.valid('json'));
      }
      // With an Idempotency-Key the job may be one an earlier request made: the create says.
      const { summary, created, callbackSecret } = await jobs.createJobWithOutcome(
        { ...config, idempotencyKey },
        apiActor(c),
      );
      c.header('location', `/v1/jobs/${summary.id}`);
      if (!created) return c.json(summary, 200);
      return c.json(callbackSecret ? { ...summary, webhookSecret: callbackSecret } : summary, 201);
    })
    .openapi(listJobsRoute, async (c) => {
      const page = await deps.manager.forTenant(c.get('tenant')).listJobs(c.req.valid('query'));
      return c.json(page, 200);
    })
    .openapi(getJobRoute, async (c) => {
      const { id } = c.req.valid('param');
      const { asOf } = c.req.valid('query');
      const jobs = deps.manager.forTenant(c.get('tenant'));
      if (asOf !== undefined) return c.json(await readJobAsOf(jobs, id, asOf), 200);
      const job = await jobs.getJob(id);
      if (!job) throw new NotFoundError(`job ${id} not found`);
      return c.json(job, 200);
    })
    .openapi(deleteJobRoute, async (c) => {
      const { id } = c.req.valid('param');
      return c.json(await deps.manager.forTenant(c.get('tenant')).deleteJob(id, apiActor(c)), 200);
    });
}

/** With no Content-Type and no body the JSON validator lets `{}` through: say what is missing. */
function requireJsonBody(body: Partial<CreateJobBody> | string): CreateJobBody {
  if (typeof body !== 'object' || body.requests === undefined) {
    throw new ValidationError(
      'a job is required: a JSON body {requests, ...} or an application/x-ndjson body',
    );
  }
  return body as CreateJobBody;
}
