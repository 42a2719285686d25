import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { BatchJobManager } from '../manager/batch-job-manager.js';
import type { AppEnv } from './app-env.js';
import { createRouter } from './create-router.js';
import { JOBS_TAG, JobStatsSchema, jsonContent } from './jobs.schemas.js';

export interface StatsRoutesDeps {
  manager: BatchJobManager;
}

const statsRoute = createRoute({
  method: 'get',
  path: '/v1/stats',
  tags: [JOBS_TAG],
  summary: "The caller's job statistics (getJobStats)",
  description:
    'Totals since the first job (deleted jobs included), jobs by status now, the queue depth ' +
    '(pending and queued) and the tokens used.',
  responses: { 200: jsonContent(JobStatsSchema, 'the statistics') },
});

/** `GET /v1/stats`. */
export function statsRoutes(deps: StatsRoutesDeps): OpenAPIHono<AppEnv> {
  return createRouter().openapi(statsRoute, async (c) =>
    c.json(await deps.manager.forTenant(c.var.tenant).getJobStats(), 200),
  );
}
