import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { BatchJobManager } from '../manager/batch-job-manager.js';
import type { AppEnv } from './app-env.js';
import { createRouter } from './create-router.js';
import { unauthorizedResponse } from './error.schema.js';
import { JOB_STATS_EXAMPLE } from './jobs.examples.js';
import { JOBS_TAG, JobStatsSchema } from './jobs.schemas.js';
import { jsonContent } from './openapi-content.js';

export interface StatsRoutesDeps {
  manager: BatchJobManager;
}

const statsRoute = createRoute({
  method: 'get',
  path: '/v1/stats',
  operationId: 'getJobStats',
  tags: [JOBS_TAG],
  summary: "The caller's job statistics",
  description:
    'Totals since the first job (deleted jobs included), jobs by status now, the queue depth ' +
    '(pending and queued) and the tokens used.',
  responses: {
    200: jsonContent(JobStatsSchema, 'the statistics', JOB_STATS_EXAMPLE),
    401: unauthorizedResponse,
  },
});

/** `GET /v1/stats`. */
export function statsRoutes(deps: StatsRoutesDeps): OpenAPIHono<AppEnv> {
  return createRouter().openapi(statsRoute, async (c) =>
    c.json(await deps.manager.forTenant(c.var.tenant).getJobStats(), 200),
  );
}
