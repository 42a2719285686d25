import type { OpenAPIHono } from '@hono/zod-openapi';
import type { BatchJobManager } from '../manager/batch-job-manager.js';
import type { AppEnv } from './app-env.js';
import { jobActionsRoutes } from './job-actions.routes.js';
import { jobBulkRoutes } from './job-bulk.routes.js';
import { jobChartRoutes } from './job-chart.routes.js';
import { jobEstimateRoutes } from './job-estimate.routes.js';
import { jobEventsRoutes } from './job-events.routes.js';
import { jobResultsRoutes } from './job-results.routes.js';
import { jobRetryRoutes } from './job-retry.routes.js';
import { jobStreamRoutes } from './job-stream.routes.js';
import { jobsRoutes } from './jobs.routes.js';
import { statsRoutes } from './stats.routes.js';

export interface JobsApiDeps {
  manager: BatchJobManager;
  /** The largest NDJSON upload, in bytes (default: 256 MiB). */
  maxNdjsonBodyBytes?: number | undefined;
  /** The longest NDJSON line, in bytes (default: 32 MiB). */
  maxNdjsonLineBytes?: number | undefined;
  /** How the event stream follows a job (defaults: poll every 250 ms, heartbeat after 15 s). */
  stream?: { pollIntervalMs?: number | undefined; heartbeatMs?: number | undefined } | undefined;
}

/** Every job-facing module: `/v1/jobs...` and `/v1/stats`, each acting for the caller's tenant. */
export function jobsApi(deps: JobsApiDeps): OpenAPIHono<AppEnv>[] {
  const { manager } = deps;
  return [
    // Before jobsRoutes: `/v1/jobs/bulk` and `/v1/jobs/estimate` are not job ids.
    jobBulkRoutes({ manager }),
    jobEstimateRoutes({ manager }),
    jobsRoutes({
      manager,
      maxNdjsonBodyBytes: deps.maxNdjsonBodyBytes,
      maxNdjsonLineBytes: deps.maxNdjsonLineBytes,
    }),
    jobActionsRoutes({ manager }),
    jobRetryRoutes({ manager }),
    jobResultsRoutes({ manager }),
    jobEventsRoutes({ manager }),
    jobStreamRoutes({ manager, ...deps.stream }),
    jobChartRoutes({ manager }),
    statsRoutes({ manager }),
  ];
}
