import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { NotFoundError } from '../domain/errors.js';
import { isTerminalStatus, JOB_STATUSES } from '../domain/job-status.js';
import type { BatchJobManager } from '../manager/batch-job-manager.js';
import type { AppEnv } from './app-env.js';
import { createRouter } from './create-router.js';
import { errorResponse, unauthorizedResponse } from './error.schema.js';
import { JobNotFinishedError } from './job-not-finished.error.js';
import { JOB_ID_EXAMPLE, RESULT_LINES_EXAMPLE } from './jobs.examples.js';
import { JOBS_TAG, JobIdParams, jobNotFoundResponse } from './jobs.schemas.js';
import { textStream } from './ndjson-response.js';

export interface JobResultsRoutesDeps {
  manager: BatchJobManager;
}

const RESULT_TYPES = ['succeeded', 'errored', 'canceled', 'expired'] as const;

const UNKNOWN_TYPE = `type must be one of ${RESULT_TYPES.join(', ')}`;

/** The response header telling which status the job had when the download began. */
export const JOB_STATUS_HEADER = 'batchkeeper-job-status';

/**
 * Typed as a plain record on purpose: with literal keys zod-openapi would read `application/jsonl`
 * as JSON and demand `c.json()`, when the handler streams a body.
 */
const RESULTS_CONTENT: Record<string, { schema: z.ZodType; example: string }> = {
  'application/x-ndjson': { schema: z.string(), example: RESULT_LINES_EXAMPLE },
  'application/jsonl': { schema: z.string(), example: RESULT_LINES_EXAMPLE },
};

const resultsRoute = createRoute({
  method: 'get',
  path: '/v1/jobs/{id}/results',
  operationId: 'getJobResults',
  tags: [JOBS_TAG],
  summary: "A job's results as JSONL, in request order",
  description:
    "One line per request that has its final outcome, in Anthropic's result shape " +
    '`{custom_id, result}`, plus `_deduplicated: true` and `_originalJobId` for a request that ' +
    "took an earlier identical request's outcome; with `merged=true`, the newest outcome of each " +
    'request along the retry chain and `_producedBy`, the job that produced it (POST ' +
    '/v1/jobs/{id}/retry); `result` is the stored JSON as Postgres writes ' +
    'it (a space after `:` and `,`). Streamed page by page. `Accept: ' +
    'application/jsonl` gets that media type; the default is `application/x-ndjson`.\n\n' +
    'Only an ended job (completed, failed, cancelled or expired) has all its results: before ' +
    'that (pending, queued, processing, paused) the answer is 409 `job_not_finished`, unless ' +
    '`partial=true` asks for the results collected so far. The `' +
    JOB_STATUS_HEADER +
    '` header says which status the job had when the download began.',
  request: {
    params: JobIdParams,
    query: z.strictObject({
      type: z
        .enum(RESULT_TYPES, { error: UNKNOWN_TYPE })
        .optional()
        .openapi({ description: 'only results of this type', example: 'errored' }),
      merged: z
        .enum(['true', 'false'], { error: 'merged must be true or false' })
        .optional()
        .openapi({
          description:
            'true: one line per request of this job with the newest outcome along its retry ' +
            'chain (retries of retries too), each with `_producedBy`, the job that produced it ' +
            "(default: false, this job's own results)",
          example: 'true',
        }),
      partial: z
        .enum(['true', 'false'], { error: 'partial must be true or false' })
        .optional()
        .openapi({
          description:
            'true: answer a job that has not ended with the results it has so far (default: ' +
            'false, 409 until it ends)',
          example: 'true',
        }),
    }),
  },
  responses: {
    200: {
      description: 'one JSON result a line',
      headers: {
        [JOB_STATUS_HEADER]: {
          description:
            "the job's status when the download began: completed, failed, cancelled or " +
            'expired mean these are all its results',
          schema: { type: 'string', enum: [...JOB_STATUSES] },
        },
      },
      content: RESULTS_CONTENT,
    },
    400: errorResponse('an unknown type or query parameter', {
      type: 'invalid_request_error',
      message: `invalid query parameters: type: ${UNKNOWN_TYPE}`,
      issues: [{ path: 'type', message: UNKNOWN_TYPE }],
    }),
    401: unauthorizedResponse,
    404: jobNotFoundResponse,
    409: errorResponse('the job has not ended and `partial=true` was not given', {
      type: 'job_not_finished',
      message: new JobNotFinishedError(JOB_ID_EXAMPLE, 'processing').message,
    }),
  },
});

/** `GET /v1/jobs/{id}/results`: the results streamed as the client reads them, never held whole. */
export function jobResultsRoutes(deps: JobResultsRoutesDeps): OpenAPIHono<AppEnv> {
  return createRouter().openapi(resultsRoute, async (c) => {
    const { id } = c.req.valid('param');
    const { type, partial, merged } = c.req.valid('query');
    const jobs = deps.manager.forTenant(c.get('tenant'));
    // The results check the tenant too; this answers 404 (rather than an empty body) and 409.
    const status = await jobs.getJobStatus(id);
    if (!status) throw new NotFoundError(`job ${id} not found`);
    // A paused job has not ended either: what it has so far is not its outcome.
    if (partial !== 'true' && !isTerminalStatus(status)) {
      throw new JobNotFinishedError(id, status);
    }
    const lines = jobs.iterateResultsBytes(id, { type, merged: merged === 'true' });
    const body = textStream(lines, {
      onError: (error) => c.get('logger').error({ err: error, jobId: id }, 'results stream failed'),
    });
    return c.body(body, 200, {
      'content-type': mediaTypeFor(c.req.header('accept')),
      'cache-control': 'no-store',
      [JOB_STATUS_HEADER]: status,
    });
  });
}

function mediaTypeFor(accept: string | undefined): string {
  return accept?.toLowerCase().includes('application/jsonl')
    ? 'application/jsonl'
    : 'application/x-ndjson';
}
