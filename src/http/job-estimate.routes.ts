import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { BatchJobManager } from '../manager/batch-job-manager.js';
import type { AppEnv } from './app-env.js';
import { createRouter } from './create-router.js';
import { errorResponse, unauthorizedResponse } from './error.schema.js';
import { JOB_ESTIMATE_EXAMPLE, JobEstimateSchema } from './job-estimate.schemas.js';
import { CREATE_JOB_EXAMPLE } from './jobs.examples.js';
import { CreateJobBodySchema, JOBS_TAG } from './jobs.schemas.js';
import { jsonContent } from './openapi-content.js';

export interface JobEstimateRoutesDeps {
  manager: BatchJobManager;
}

const estimateJobRoute = createRoute({
  method: 'post',
  path: '/v1/jobs/estimate',
  operationId: 'estimateJob',
  tags: [JOBS_TAG],
  summary: 'What a job would cost, before creating it',
  description:
    "The createJob JSON body. Input tokens come from Anthropic's count_tokens (cached by " +
    'request, rate-limited with every other call); output is bounded by max_tokens. Nothing is created.',
  request: {
    body: {
      required: true,
      content: {
        'application/json': { schema: CreateJobBodySchema, example: CREATE_JOB_EXAMPLE },
      },
    },
  },
  responses: {
    200: jsonContent(JobEstimateSchema, 'the price range at batch prices', JOB_ESTIMATE_EXAMPLE),
    400: errorResponse('invalid job (as createJob refuses it)', {
      type: 'invalid_request_error',
      message: 'invalid request body: requests: Required',
    }),
    401: unauthorizedResponse,
    503: errorResponse('token counting is not available', {
      type: 'not_ready_error',
      message: 'token counting is not available with this Message Batches API',
    }),
  },
});

/** `POST /v1/jobs/estimate`, for the caller's tenant. */
export function jobEstimateRoutes(deps: JobEstimateRoutesDeps): OpenAPIHono<AppEnv> {
  return createRouter().openapi(estimateJobRoute, async (c) => {
    const estimate = await deps.manager.forTenant(c.get('tenant')).estimateJob(c.req.valid('json'));
    return c.json(estimate, 200);
  });
}
