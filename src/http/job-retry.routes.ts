import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { BatchJobManager } from '../manager/batch-job-manager.js';
import { apiActor } from './api-actor.js';
import type { AppEnv } from './app-env.js';
import { createRouter } from './create-router.js';
import { errorResponse, unauthorizedResponse } from './error.schema.js';
import { RETRIED_JOB_EXAMPLE, RETRY_JOB_EXAMPLE } from './job-retry.examples.js';
import { RetriedJobSchema, RetryJobBodySchema } from './job-retry.schemas.js';
import { JOBS_TAG, JobIdParams, jobNotFoundResponse } from './jobs.schemas.js';
import { jsonContent } from './openapi-content.js';

export interface JobRetryRoutesDeps {
  manager: BatchJobManager;
}

const retryRoute = createRoute({
  method: 'post',
  path: '/v1/jobs/{id}/retry',
  operationId: 'retryJob',
  tags: [JOBS_TAG],
  summary: "Send an ended job's failed requests again, as a new job",
  description:
    'Creates a new job of the requests the filter selects, with `overrides` merged into their ' +
    "params, validated as any job is. The new job's `retryOf` names this one; this one's " +
    '`retries` lists the new one (and its log a `JobRetried` event). A retry is never ' +
    'deduplicated against the failed outcomes it retries; an identical request that succeeded ' +
    'elsewhere may still be reused. `GET /v1/jobs/{id}/results?merged=true` reads the outcome.',
  request: {
    params: JobIdParams,
    body: {
      required: false,
      content: { 'application/json': { schema: RetryJobBodySchema, example: RETRY_JOB_EXAMPLE } },
    },
  },
  responses: {
    201: jsonContent(RetriedJobSchema, 'the new job, created and queued', RETRIED_JOB_EXAMPLE),
    400: errorResponse('nothing matches the filter, or the patched params are invalid', {
      type: 'invalid_request_error',
      message:
        'job job_mx4n0k3y53037223ab5acf20 has no request matching the retry filter ' +
        '(resultTypes errored,expired,canceled): nothing to retry',
      issues: [{ path: 'filter', message: 'no request of the job matches the filter' }],
    }),
    401: unauthorizedResponse,
    404: jobNotFoundResponse,
    409: errorResponse('the job has not ended', {
      type: 'illegal_transition_error',
      message: 'cannot retry a job that is processing',
    }),
    429: errorResponse('the queue is full; see retry-after', {
      type: 'queue_full_error',
      message: 'the queue is full (1000 jobs waiting); try again later',
    }),
  },
});

/** `POST /v1/jobs/{id}/retry`: the failed part of an ended job, sent again as a new job. */
export function jobRetryRoutes(deps: JobRetryRoutesDeps): OpenAPIHono<AppEnv> {
  return createRouter().openapi(retryRoute, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json') ?? {};
    const jobs = deps.manager.forTenant(c.get('tenant'));
    const { callbackSecret, ...retried } = await jobs.retryJob(id, body, apiActor(c));
    c.header('location', `/v1/jobs/${retried.id}`);
    return c.json(callbackSecret ? { ...retried, webhookSecret: callbackSecret } : retried, 201);
  });
}
