import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { BatchJobManager } from '../manager/batch-job-manager.js';
import type { AppEnv } from './app-env.js';
import { createRouter } from './create-router.js';
import { errorResponse } from './error.schema.js';
import {
  CancelResultSchema,
  JOBS_TAG,
  JobIdParams,
  jsonContent,
  TransitionResultSchema,
} from './jobs.schemas.js';

export interface JobActionsRoutesDeps {
  manager: BatchJobManager;
}

const notFound = errorResponse('no such job for this tenant');

const cancelRoute = createRoute({
  method: 'post',
  path: '/v1/jobs/{id}/cancel',
  tags: [JOBS_TAG],
  summary: 'Cancel a job; batches in flight are cancelled at Anthropic first',
  request: { params: JobIdParams },
  responses: {
    200: jsonContent(CancelResultSchema, '`cancelled: false` while Anthropic is still cancelling'),
    404: notFound,
    409: errorResponse('the job has already ended'),
  },
});

const pauseRoute = createRoute({
  method: 'post',
  path: '/v1/jobs/{id}/pause',
  tags: [JOBS_TAG],
  summary: 'Pause a processing job: no new submissions or retries',
  request: { params: JobIdParams },
  responses: {
    200: jsonContent(TransitionResultSchema, 'paused'),
    404: notFound,
    409: errorResponse('only a processing job can be paused'),
  },
});

const resumeRoute = createRoute({
  method: 'post',
  path: '/v1/jobs/{id}/resume',
  tags: [JOBS_TAG],
  summary: 'Resume a paused job',
  request: { params: JobIdParams },
  responses: {
    200: jsonContent(TransitionResultSchema, 'processing again'),
    404: notFound,
    409: errorResponse('only a paused job can be resumed'),
  },
});

/** `/v1/jobs/{id}/cancel|pause|resume`: the commands; the machine refuses what the state forbids (409). */
export function jobActionsRoutes(deps: JobActionsRoutesDeps): OpenAPIHono<AppEnv> {
  const jobsOf = (tenant: string) => deps.manager.forTenant(tenant);
  return createRouter()
    .openapi(cancelRoute, async (c) => {
      const { id } = c.req.valid('param');
      return c.json(await jobsOf(c.var.tenant).cancelJob(id, c.var.requestId), 200);
    })
    .openapi(pauseRoute, async (c) => {
      const { id } = c.req.valid('param');
      return c.json(await jobsOf(c.var.tenant).pauseJob(id, c.var.requestId), 200);
    })
    .openapi(resumeRoute, async (c) => {
      const { id } = c.req.valid('param');
      return c.json(await jobsOf(c.var.tenant).resumeJob(id, c.var.requestId), 200);
    });
}
