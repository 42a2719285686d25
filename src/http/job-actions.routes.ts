import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { BatchJobManager } from '../manager/batch-job-manager.js';
import { apiActor } from './api-actor.js';
import type { AppEnv } from './app-env.js';
import { createRouter } from './create-router.js';
import { errorResponse, unauthorizedResponse } from './error.schema.js';
import { BUDGET_CHANGE_EXAMPLE, BUDGET_CHANGE_RESULT_EXAMPLE } from './job-budget.examples.js';
import {
  CANCEL_RESULT_EXAMPLE,
  PAUSE_RESULT_EXAMPLE,
  RESUME_RESULT_EXAMPLE,
} from './jobs.examples.js';
import {
  BudgetChangeResultSchema,
  CancelResultSchema,
  ChangeJobBodySchema,
  JOBS_TAG,
  JobIdParams,
  jobNotFoundResponse,
  TransitionResultSchema,
} from './jobs.schemas.js';
import { jsonContent } from './openapi-content.js';

export interface JobActionsRoutesDeps {
  manager: BatchJobManager;
}

/** The 409 of a command the job's state forbids. */
function refused(description: string, command: string, status: string) {
  return errorResponse(description, {
    type: 'illegal_transition_error',
    message: `cannot ${command} a job that is ${status}`,
  });
}

const cancelRoute = createRoute({
  method: 'post',
  path: '/v1/jobs/{id}/cancel',
  operationId: 'cancelJob',
  tags: [JOBS_TAG],
  summary: 'Cancel a job; batches in flight are cancelled at Anthropic first',
  request: { params: JobIdParams },
  responses: {
    200: jsonContent(
      CancelResultSchema,
      '`cancelled: false` while Anthropic is still cancelling',
      CANCEL_RESULT_EXAMPLE,
    ),
    401: unauthorizedResponse,
    404: jobNotFoundResponse,
    409: refused('the job has already ended', 'cancel', 'completed'),
  },
});

const pauseRoute = createRoute({
  method: 'post',
  path: '/v1/jobs/{id}/pause',
  operationId: 'pauseJob',
  tags: [JOBS_TAG],
  summary: 'Pause a processing job: no new submissions or retries',
  request: { params: JobIdParams },
  responses: {
    200: jsonContent(TransitionResultSchema, 'paused', PAUSE_RESULT_EXAMPLE),
    401: unauthorizedResponse,
    404: jobNotFoundResponse,
    409: refused('only a processing job can be paused', 'pause', 'queued'),
  },
});

const resumeRoute = createRoute({
  method: 'post',
  path: '/v1/jobs/{id}/resume',
  operationId: 'resumeJob',
  tags: [JOBS_TAG],
  summary: 'Resume a paused job',
  request: { params: JobIdParams },
  responses: {
    200: jsonContent(TransitionResultSchema, 'processing again', RESUME_RESULT_EXAMPLE),
    401: unauthorizedResponse,
    404: jobNotFoundResponse,
    409: refused('only a paused job can be resumed', 'resume', 'processing'),
  },
});

const changeRoute = createRoute({
  method: 'patch',
  path: '/v1/jobs/{id}',
  operationId: 'updateJob',
  tags: [JOBS_TAG],
  summary: "Change a job's maxCostUsd; raising it resumes a job paused for its budget",
  request: {
    params: JobIdParams,
    body: {
      required: true,
      content: {
        'application/json': { schema: ChangeJobBodySchema, example: BUDGET_CHANGE_EXAMPLE },
      },
    },
  },
  responses: {
    200: jsonContent(
      BudgetChangeResultSchema,
      'the cap now, and the status before and after',
      BUDGET_CHANGE_RESULT_EXAMPLE,
    ),
    400: errorResponse('maxCostUsd is not a positive number or null', {
      type: 'invalid_request_error',
      message: 'invalid request body: maxCostUsd: maxCostUsd must be a positive number (USD)',
      issues: [{ path: 'maxCostUsd', message: 'maxCostUsd must be a positive number (USD)' }],
    }),
    401: unauthorizedResponse,
    404: jobNotFoundResponse,
    409: refused('the job has ended', 'change the budget of', 'completed'),
  },
});

/** `/v1/jobs/{id}/cancel|pause|resume` and PATCH: the commands; the machine refuses what the state forbids (409). */
export function jobActionsRoutes(deps: JobActionsRoutesDeps): OpenAPIHono<AppEnv> {
  const jobsOf = (tenant: string) => deps.manager.forTenant(tenant);
  return createRouter()
    .openapi(cancelRoute, async (c) => {
      const { id } = c.req.valid('param');
      return c.json(await jobsOf(c.var.tenant).cancelJob(id, apiActor(c)), 200);
    })
    .openapi(pauseRoute, async (c) => {
      const { id } = c.req.valid('param');
      return c.json(await jobsOf(c.var.tenant).pauseJob(id, apiActor(c)), 200);
    })
    .openapi(resumeRoute, async (c) => {
      const { id } = c.req.valid('param');
      return c.json(await jobsOf(c.var.tenant).resumeJob(id, apiActor(c)), 200);
    })
    .openapi(changeRoute, async (c) => {
      const { id } = c.req.valid('param');
      const { maxCostUsd } = c.req.valid('json');
      return c.json(await jobsOf(c.var.tenant).changeBudget(id, maxCostUsd, apiActor(c)), 200);
    });
}
