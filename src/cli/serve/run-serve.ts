import type { Config } from '../../config.js';
import type { Priority } from '../../domain/priority.js';
import { apiRoutes } from '../../http/api-routes.js';
import { createApp } from '../../http/app.js';
import { BatchJobManager } from '../../manager/batch-job-manager.js';
import type { Logger } from '../../observability/logger.js';
import { createDatabase, type DatabaseHandle } from '../../store/create-database.js';
import { migrate } from '../../store/migrate.js';
import { packageVersion } from '../package-version.js';
import { apiKeyWatchService, NO_KEYS_LEFT } from './api-key-watch.service.js';
import { type AuthDecision, decideAuthMode, openModeRefusal } from './auth-mode.js';
import { type HttpServer, startHttpServer } from './http-server.js';
import { listenError } from './listen-error.js';
import { serveServices } from './serve-services.js';
import type { Service } from './service.js';
import { onShutdownSignal } from './shutdown-signals.js';
import { type StartedServices, startServices } from './start-services.js';
import { startupBanner } from './startup-banner.js';
import { webhookManagerOptions } from './webhook-manager-options.js';

/** Where the Anthropic SDK goes when ANTHROPIC_BASE_URL is unset. */
const ANTHROPIC_DEFAULT_BASE_URL = 'https://api.anthropic.com';

/** How long requests in flight (and event streams) may go on after a shutdown signal. */
const SHUTDOWN_GRACE_MS = 10_000;

export interface ServeOptions {
  api: boolean;
  worker: boolean;
  insecureOpen: boolean;
  /** Print the start-up banner on stderr once listening (pretty logs; default: false). */
  banner?: boolean;
}

/** Starts everything and returns once running; returns a message instead when it must refuse. */
export async function serve(
  config: Config,
  options: ServeOptions,
  logger: Logger,
): Promise<string | undefined> {
  const database = await createDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    listenUrl: config.listenUrl,
    preparedStatements: config.preparedStatements,
  });
  let services: StartedServices | undefined;
  let manager: BatchJobManager | undefined;
  let server: HttpServer | undefined;
  try {
    const report = await migrate(database.db);
    logger.info(
      { backend: database.backend, applied: report.applied },
      database.backend === 'pglite'
        ? `database: embedded PGlite in ${config.dataDir}`
        : 'database: Postgres',
    );

    // Decided once: nothing that happens to the keys later changes it (see auth-mode.ts).
    let auth: AuthDecision | undefined;
    if (options.api) {
      auth = await decideAuthMode(config, database.db);
      const refusal = openModeRefusal(auth, config.host, options.insecureOpen);
      if (refusal) {
        await database.close();
        return refusal;
      }
      logAuthMode(auth, config, logger);
    }

    let shuttingDown = false;
    const context = { db: database.db, config, logger, anthropic: { ...config.anthropic } };
    services = await startServices(
      [...serveServices(config, options), ...authServices(auth, config)],
      context,
    );
    // After the services: the simulator, when there is one, has filled in context.anthropic.
    manager = jobManager(config, options, database, context.anthropic, logger);
    await manager.ready();
    if (options.api) {
      const app = createApp({
        db: database.db,
        logger,
        config,
        authMode: auth?.mode ?? 'keys',
        isShuttingDown: () => shuttingDown,
        routes: apiRoutes({ db: database.db, config, manager }),
      });
      server = await startHttpServer(app.fetch, {
        port: config.port,
        host: config.host,
        limits: config.httpServer,
        onSlowBody: (request) =>
          logger.info(
            { method: request.method, url: request.url, remote: request.socket.remoteAddress },
            'request body too slow: connection cut (BATCHKEEPER_HTTP_MIN_BODY_BYTES_PER_SECOND)',
          ),
      }).catch((error: unknown) => {
        throw listenError(error, config);
      });
      announce(
        server.url,
        { config, options, database, auth, anthropic: context.anthropic },
        logger,
      );
    }

    const running = { services, manager, server };
    onShutdownSignal(
      async (signal) => {
        shuttingDown = true;
        logger.info({ signal }, 'shutting down');
        try {
          await shutDown(running, database, logger);
          process.exit(0);
        } catch (error) {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        }
      },
      (signal) => logger.warn({ signal }, 'second signal: exiting at once'),
    );
    return undefined;
  } catch (error) {
    await shutDown({ services, manager, server }, database, logger);
    throw error;
  }
}

/**
 * The line every deployment reads (`listening on …`, with the docs and Anthropic addresses as
 * fields: the banner of JSON mode), and in pretty mode the banner for people, on stderr so that
 * stdout holds log lines only.
 */
function announce(
  url: string,
  facts: {
    config: Config;
    options: ServeOptions;
    database: DatabaseHandle;
    auth: AuthDecision | undefined;
    anthropic: { baseURL: string | undefined };
  },
  logger: Logger,
): void {
  const simulator = !facts.config.anthropic.apiKey;
  const anthropicUrl = facts.anthropic.baseURL ?? ANTHROPIC_DEFAULT_BASE_URL;
  logger.info(
    { url, docs: `${url}/docs`, anthropic: anthropicUrl, simulator },
    `listening on ${url}`,
  );
  if (!facts.options.banner) return;
  process.stderr.write(
    startupBanner({
      version: packageVersion(),
      url,
      anthropicUrl,
      simulator,
      database:
        facts.database.backend === 'pglite'
          ? `embedded PGlite in ${facts.config.dataDir}`
          : 'Postgres (DATABASE_URL)',
      auth: facts.auth && `${facts.auth.mode} (${facts.auth.reason})`,
      worker: facts.options.worker,
    }),
  );
}

function logAuthMode(auth: AuthDecision, config: Config, logger: Logger): void {
  const fields = { auth: auth.mode, reason: auth.reason, host: config.host };
  if (auth.mode === 'open') {
    logger.warn(
      fields,
      'auth is open: the API is open and every caller without a key is tenant "default" ' +
        `(${auth.reason}); keys created now do not close it until a restart`,
    );
  } else if (!auth.anyKey) {
    logger.error(fields, NO_KEYS_LEFT);
  } else {
    logger.info(fields, `auth is keys: every request needs an API key (${auth.reason})`);
  }
}

/** In keys mode with only stored keys (they can be revoked while it runs): the watch on them. */
function authServices(auth: AuthDecision | undefined, config: Config): Service[] {
  if (auth?.mode !== 'keys' || config.apiKeys.length > 0) return [];
  return [apiKeyWatchService({ anyKeyAtStart: auth.anyKey })];
}

/**
 * The job manager: the scheduler, worker and webhook relay unless `--no-worker`, and what the
 * job routes act on.
 */
function jobManager(
  config: Config,
  options: ServeOptions,
  database: DatabaseHandle,
  anthropic: { apiKey: string | undefined; baseURL: string | undefined },
  logger: Logger,
): BatchJobManager {
  const log = logger.child({ service: 'job-manager' });
  return new BatchJobManager({
    ...config.manager,
    defaultPriority: config.manager.defaultPriority as Priority,
    database,
    anthropic: { ...anthropic },
    instanceId: config.instanceId,
    worker: options.worker,
    // The manager's relay: it wakes on the same LISTEN connection as the worker.
    webhookRelay: options.worker,
    relayLogger: logger.child({ service: 'webhook-relay' }),
    ...webhookManagerOptions(config),
    log: (level, message, fields) => log[level](fields ?? {}, message),
  });
}

/**
 * The HTTP server stops accepting first, then the manager hands its leases over, then services
 * stop (in reverse), then the database closes.
 */
async function shutDown(
  running: {
    services: StartedServices | undefined;
    manager: BatchJobManager | undefined;
    server: HttpServer | undefined;
  },
  database: DatabaseHandle,
  logger: Logger,
): Promise<void> {
  const closing = running.server?.close(SHUTDOWN_GRACE_MS);
  await running.manager?.close();
  await running.services?.stop();
  await closing;
  await database.close();
  logger.info('stopped');
}
