import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { NotFoundError } from '../domain/errors.js';
import type { BatchJobManager } from '../manager/batch-job-manager.js';
import type { AppEnv } from './app-env.js';
import { createRouter } from './create-router.js';
import { unauthorizedResponse } from './error.schema.js';
import { JOB_EVENT_LOG_EXAMPLE } from './jobs.examples.js';
import { JOBS_TAG, JobEventLogSchema, JobIdParams, jobNotFoundResponse } from './jobs.schemas.js';
import { jsonContent } from './openapi-content.js';

export interface JobEventsRoutesDeps {
  manager: BatchJobManager;
}

const eventsRoute = createRoute({
  method: 'get',
  path: '/v1/jobs/{id}/events',
  operationId: 'listJobEvents',
  tags: [JOBS_TAG],
  summary: "A job's events in order: its audit log",
  description: "A deleted job's log stays readable: its last event is `JobDeleted`.",
  request: { params: JobIdParams },
  responses: {
    200: jsonContent(
      JobEventLogSchema,
      'every event of the job, oldest first',
      JOB_EVENT_LOG_EXAMPLE,
    ),
    401: unauthorizedResponse,
    404: jobNotFoundResponse,
  },
});

/** `GET /v1/jobs/{id}/events`: the job's stream as stored. */
export function jobEventsRoutes(deps: JobEventsRoutesDeps): OpenAPIHono<AppEnv> {
  return createRouter().openapi(eventsRoute, async (c) => {
    const { id } = c.req.valid('param');
    const events = await deps.manager.forTenant(c.var.tenant).readEvents(id);
    if (!events) throw new NotFoundError(`job ${id} not found`);
    return c.json(
      {
        jobId: id,
        events: events.map((event) => ({
          position: event.position,
          version: event.version,
          type: event.type,
          data: event.data,
          metadata: event.metadata,
          recordedAt: event.recordedAt.toISOString(),
        })),
      },
      200,
    );
  });
}
