import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { BatchJobManager } from '../manager/batch-job-manager.js';
import { apiActor } from './api-actor.js';
import type { AppEnv } from './app-env.js';
import { createRouter } from './create-router.js';
import { errorResponse, unauthorizedResponse } from './error.schema.js';
import { BULK_JOBS_EXAMPLE, BULK_JOBS_RESULT_EXAMPLE } from './job-retry.examples.js';
import { BulkJobsBodySchema, BulkJobsResultSchema } from './job-retry.schemas.js';
import { JOBS_TAG } from './jobs.schemas.js';
import { jsonContent } from './openapi-content.js';

export interface JobBulkRoutesDeps {
  manager: BatchJobManager;
}

const bulkRoute = createRoute({
  method: 'post',
  path: '/v1/jobs/bulk',
  operationId: 'bulkJobs',
  tags: [JOBS_TAG],
  summary:
    'Cancel or retry every job a filter matches (at most 1000 a call), or say what would happen',
  description:
    'Each job gets its own command, oldest first: one refused is `skipped` with the reason and ' +
    'the others go on. A retry takes the `retry` options of POST /v1/jobs/{id}/retry. ' +
    '`dryRun: true` writes nothing.',
  request: {
    body: {
      required: true,
      content: { 'application/json': { schema: BulkJobsBodySchema, example: BULK_JOBS_EXAMPLE } },
    },
  },
  responses: {
    200: jsonContent(
      BulkJobsResultSchema,
      'what was done (or would be) to each job',
      BULK_JOBS_RESULT_EXAMPLE,
    ),
    400: errorResponse('an invalid action or filter', {
      type: 'invalid_request_error',
      message: 'invalid request body: action: action must be "cancel" or "retry"',
      issues: [{ path: 'action', message: 'action must be "cancel" or "retry"' }],
    }),
    401: unauthorizedResponse,
  },
});

/** `POST /v1/jobs/bulk`: one action over many of the tenant's jobs. */
export function jobBulkRoutes(deps: JobBulkRoutesDeps): OpenAPIHono<AppEnv> {
  return createRouter().openapi(bulkRoute, async (c) => {
    const jobs = deps.manager.forTenant(c.get('tenant'));
    return c.json(await jobs.bulkJobs(c.req.valid('json'), apiActor(c)), 200);
  });
}
