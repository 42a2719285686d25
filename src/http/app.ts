import { OpenAPIHono } from '@hono/zod-openapi';
import type { Logger } from 'pino';
import type { AuthMode, Config } from '../config.js';
import type { Db } from '../store/schema/index.js';
import { accessLog } from './access-log.middleware.js';
import type { AppEnv } from './app-env.js';
import { authentication } from './auth.middleware.js';
import { jsonBodyLimit } from './body-limit.middleware.js';
import {
  DASHBOARD_PUBLIC_PATHS,
  type DashboardRoutesOptions,
  dashboardRoutes,
} from './dashboard.routes.js';
import { docsRoutes } from './docs.routes.js';
import { errorHandler } from './error-handler.js';
import { healthRoutes } from './health.routes.js';
import { httpMetrics } from './http-metrics.middleware.js';
import { strictJsonBody } from './json-body.middleware.js';
import { metricsRoutes } from './metrics.routes.js';
import { notFound } from './not-found.js';
import { OPENAPI_PATH, serveOpenApiDocument } from './openapi-document.js';
import { requestId } from './request-id.middleware.js';
import type { StoredApiKeysOptions } from './stored-api-keys.js';
import { validationHook } from './validation-hook.js';

/** Paths anyone may call, whatever keys are configured. */
const PUBLIC_PATHS = [
  '/healthz',
  '/readyz',
  '/metrics',
  OPENAPI_PATH,
  '/docs',
  '/docs/*',
  ...DASHBOARD_PUBLIC_PATHS,
];

export interface AppDeps {
  db: Db;
  logger: Logger;
  config: Pick<Config, 'apiKeys' | 'http'> & { metricsToken?: string | undefined };
  /** Whether a request without a key is let in (`open`, as tenant `default`) or refused (`keys`). */
  authMode: AuthMode;
  /** True once shutdown has begun (default: never). */
  isShuttingDown?: () => boolean;
  /** Resource modules (`jobsRoutes(...)`, `webhooksRoutes(...)`), each mounted at `/`. */
  routes?: readonly OpenAPIHono<AppEnv>[];
  /** More paths to serve without a key (the dashboard's `/`), as in `PUBLIC_PATHS`. */
  publicPaths?: readonly string[];
  /** How stored API keys are cached (defaults: see StoredApiKeys; a revoked key stops within 1 s). */
  storedKeys?: Omit<StoredApiKeysOptions, 'db'> | undefined;
  /** Where the dashboard's built files are (default: the package's `dist/dashboard/`). */
  dashboard?: DashboardRoutesOptions | undefined;
}

/**
 * The HTTP app: request ids and access log, metrics, authentication, the
 * JSON body limit and strict JSON reading, the operational routes (health, readiness, metrics,
 * OpenAPI, docs), the given resource modules, and one error mapping.
 */
export function createApp(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

  app.use(requestId({ logger: deps.logger }));
  app.use(accessLog({ logger: deps.logger }));
  app.use(httpMetrics());
  // Authentication before the body limit: a stranger's chunked body is never buffered.
  app.use(
    authentication({
      db: deps.db,
      mode: deps.authMode,
      apiKeys: deps.config.apiKeys,
      publicPaths: [...PUBLIC_PATHS, ...(deps.publicPaths ?? [])],
      storedKeys: deps.storedKeys,
    }),
  );
  app.use(jsonBodyLimit({ maxBytes: deps.config.http.maxJsonBodyBytes }));
  app.use(strictJsonBody());

  app.route(
    '/',
    healthRoutes({ db: deps.db, isShuttingDown: deps.isShuttingDown ?? (() => false) }),
  );
  app.route('/', metricsRoutes({ authMode: deps.authMode, token: deps.config.metricsToken }));
  app.route('/', docsRoutes());
  app.route('/', dashboardRoutes(deps.dashboard));
  serveOpenApiDocument(app, { authMode: deps.authMode });
  for (const module of deps.routes ?? []) app.route('/', module);

  app.onError(errorHandler(deps.logger));
  app.notFound(notFound(app));
  return app;
}
