import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { type Clock, systemClock } from '../domain/clock.js';
import type { BatchJobManager } from '../manager/batch-job-manager.js';
import type { AppEnv } from './app-env.js';
import { createRouter } from './create-router.js';
import { errorResponse, unauthorizedResponse } from './error.schema.js';
import { JOBS_TAG } from './jobs.schemas.js';
import { jsonContent } from './openapi-content.js';
import {
  STATS_SERIES_EXAMPLE,
  StatsSeriesQuerySchema,
  StatsSeriesSchema,
  TENANT_STATS_EXAMPLE,
  TenantStatsSchema,
} from './stats.schemas.js';
import { readStatsSeries, readTodayStats } from './stats-series.js';

export interface StatsRoutesDeps {
  manager: BatchJobManager;
  /** What "now" and "today" are (default: the manager's clock). */
  clock?: Clock | undefined;
}

const statsRoute = createRoute({
  method: 'get',
  path: '/v1/stats',
  operationId: 'getJobStats',
  tags: [JOBS_TAG],
  summary: "The caller's job statistics",
  description:
    'Totals since the first job (deleted jobs included), jobs by status now, the queue depth ' +
    "(pending and queued), the tokens used; today's tokens, cost and errored results by type; " +
    'webhook deliveries pending and dead. All from the database, for the caller’s tenant.',
  responses: {
    200: jsonContent(TenantStatsSchema, 'the statistics', TENANT_STATS_EXAMPLE),
    401: unauthorizedResponse,
  },
});

const seriesRoute = createRoute({
  method: 'get',
  path: '/v1/stats/series',
  operationId: 'getStatsSeries',
  tags: [JOBS_TAG],
  summary: 'Jobs created and completed per hour, tokens and cost per day',
  description:
    'From the tenant’s events: `hours` UTC hours and `days` UTC days up to now, oldest first, ' +
    'every one present (zero when nothing happened).',
  request: { query: StatsSeriesQuerySchema },
  responses: {
    200: jsonContent(StatsSeriesSchema, 'the series', STATS_SERIES_EXAMPLE),
    400: errorResponse('hours or days out of range', {
      type: 'invalid_request_error',
      message: 'invalid query parameters: hours: hours must be a whole number from 1 to 744',
      issues: [{ path: 'hours', message: 'hours must be a whole number from 1 to 744' }],
    }),
    401: unauthorizedResponse,
  },
});

/** `GET /v1/stats` and `GET /v1/stats/series`, for the caller's tenant. */
export function statsRoutes(deps: StatsRoutesDeps): OpenAPIHono<AppEnv> {
  const now = () => (deps.clock ?? deps.manager.webhookSettings.clock ?? systemClock).now();
  return createRouter()
    .openapi(statsRoute, async (c) => {
      const tenant = c.var.tenant;
      const { database, commands } = await deps.manager.runtime();
      const [totals, today, tenantDaily] = await Promise.all([
        deps.manager.forTenant(tenant).getJobStats(),
        readTodayStats(database.db, tenant, now()),
        commands.tenantBudgetUse(tenant),
      ]);
      return c.json({ ...totals, ...today, tenantDaily }, 200);
    })
    .openapi(seriesRoute, async (c) => {
      const { hours, days } = c.req.valid('query');
      const { database } = await deps.manager.runtime();
      const series = await readStatsSeries(database.db, c.var.tenant, now(), {
        hours: hours ?? 48,
        days: days ?? 14,
      });
      return c.json(series, 200);
    });
}
