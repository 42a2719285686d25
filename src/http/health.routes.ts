import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { NotReadyError } from '../domain/errors.js';
import { isReachable } from '../store/create-database.js';
import { isMigrated, loadMigrations, type Migration } from '../store/migrate.js';
import type { Db } from '../store/schema/index.js';
import type { AppEnv } from './app-env.js';
import { createRouter } from './create-router.js';
import { errorResponse } from './error.schema.js';

export interface HealthRoutesDeps {
  db: Db;
  /** True once shutdown has begun: readiness answers 503 from then on. */
  isShuttingDown: () => boolean;
}

const StatusSchema = z.object({ status: z.string() }).openapi('HealthStatus');

// Probes, like /metrics, are left out of the OpenAPI document (`hide`): they are for load
// balancers and orchestrators, not API clients, and answer no 4xx a client could act on.
const healthzRoute = createRoute({
  method: 'get',
  path: '/healthz',
  operationId: 'getHealth',
  hide: true,
  summary: 'Liveness: the process is up',
  security: [],
  responses: {
    200: { description: 'alive', content: { 'application/json': { schema: StatusSchema } } },
  },
});

const readyzRoute = createRoute({
  method: 'get',
  path: '/readyz',
  operationId: 'getReadiness',
  hide: true,
  summary: 'Readiness: the database answers and every migration is applied',
  security: [],
  responses: {
    200: { description: 'ready', content: { 'application/json': { schema: StatusSchema } } },
    503: errorResponse('not ready: database unreachable, migrations pending, or shutting down', {
      type: 'not_ready_error',
      message: 'database migrations are not all applied',
    }),
  },
});

/** `GET /healthz` (liveness) and `GET /readyz` (readiness); both public. */
export function healthRoutes(deps: HealthRoutesDeps): OpenAPIHono<AppEnv> {
  let migrations: Promise<Migration[]> | undefined;
  return createRouter()
    .openapi(healthzRoute, (c) => c.json({ status: 'ok' }, 200))
    .openapi(readyzRoute, async (c) => {
      if (deps.isShuttingDown()) throw new NotReadyError('shutting down');
      if (!(await isReachable(deps.db))) throw new NotReadyError('the database does not answer');
      // Read once; a failed read is tried again on the next probe.
      migrations ??= loadMigrations().catch((error: unknown) => {
        migrations = undefined;
        throw error;
      });
      if (!(await isMigrated(deps.db, await migrations))) {
        throw new NotReadyError('database migrations are not all applied');
      }
      return c.json({ status: 'ready' }, 200);
    });
}
