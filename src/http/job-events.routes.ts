import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { NotFoundError } from '../domain/errors.js';
import type { BatchJobManager } from '../manager/batch-job-manager.js';
import type { AppEnv } from './app-env.js';
import { createRouter } from './create-router.js';
import { errorResponse } from './error.schema.js';
import { JOBS_TAG, JobEventSchema, JobIdParams, jsonContent } from './jobs.schemas.js';

export interface JobEventsRoutesDeps {
  manager: BatchJobManager;
}

const eventsRoute = createRoute({
  method: 'get',
  path: '/v1/jobs/{id}/events',
  tags: [JOBS_TAG],
  summary: "A job's events in order: its audit log",
  description: "A deleted job's log stays readable: its last event is `JobDeleted`.",
  request: { params: JobIdParams },
  responses: {
    200: jsonContent(
      z.object({ jobId: z.string(), events: z.array(JobEventSchema) }).openapi('JobEventLog'),
      'every event of the job, oldest first',
    ),
    404: errorResponse('no such job for this tenant'),
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
