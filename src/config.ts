import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { z } from 'zod';
import {
  AUTH_MODES,
  type Config,
  LOG_LEVELS,
  type ManagerEnvironment,
} from './config/config.types.js';
import {
  apiKeyList,
  commaList,
  httpUrl,
  optional,
  positiveUsd,
  priority,
  wholeNumber,
  withDefault,
} from './config/env-values.js';
import {
  ANTHROPIC_API_VERSIONS,
  DEFAULT_ANTHROPIC_VERSION,
  parseAnthropicVersion,
} from './domain/anthropic-api/api-version.js';
import { type PriceTable, parsePriceTable } from './domain/pricing.js';

export {
  AUTH_MODES,
  type AuthMode,
  type Config,
  type ConfiguredApiKey,
  LOG_LEVELS,
  type LogLevel,
  type ManagerConfig,
  type ManagerEnvironment,
  TENANT_PATTERN,
} from './config/config.types.js';

const MEBIBYTE = 1024 * 1024;

/** A configuration value that cannot be used; the message names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly issues: { variable: string; message: string }[]) {
    super(
      `invalid configuration:\n${issues.map((i) => `  ${i.variable}: ${i.message}`).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

const environmentSchema = z.object({
  PORT: withDefault(wholeNumber(0, 65535), '8080'),
  HOST: withDefault(z.string().trim(), '127.0.0.1'),
  DATABASE_URL: optional(
    z.url({ protocol: /^postgres(ql)?$/, message: 'must be a postgres:// URL' }),
  ),
  BATCHKEEPER_DATA_DIR: withDefault(z.string(), './.data'),
  BATCHKEEPER_LISTEN_URL: optional(
    z.url({ protocol: /^postgres(ql)?$/, message: 'must be a postgres:// URL' }),
  ),
  BATCHKEEPER_PREPARED_STATEMENTS: withDefault(
    z.enum(['on', 'off'], { message: 'must be on or off' }),
    'on',
  ),
  ANTHROPIC_API_KEY: optional(z.string().trim()),
  ANTHROPIC_BASE_URL: optional(httpUrl),
  BATCHKEEPER_API_KEYS: withDefault(apiKeyList, ''),
  BATCHKEEPER_AUTH: optional(
    z
      .string()
      .trim()
      .toLowerCase()
      .pipe(z.enum(AUTH_MODES, { message: `must be one of ${AUTH_MODES.join(', ')}` })),
  ),
  BATCHKEEPER_WEBHOOK_ALLOW: withDefault(commaList, ''),
  BATCHKEEPER_INSTANCE_ID: withDefault(
    z.string().trim().max(200, 'must be at most 200 characters'),
    `${hostname()}-${process.pid}`,
  ),
  BATCHKEEPER_ENCRYPTION_KEY: optional(z.string().trim()),
  BATCHKEEPER_WEBHOOK_CONCURRENCY: withDefault(wholeNumber(1, 1000), '32'),
  BATCHKEEPER_WEBHOOK_POLL_MS: withDefault(wholeNumber(10), '1000'),
  BATCHKEEPER_WEBHOOK_LISTENING_POLL_MS: withDefault(wholeNumber(10), '5000'),
  LOG_LEVEL: withDefault(
    z.enum(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(', ')}` }),
    'info',
  ),
  BATCHKEEPER_MAX_CONCURRENT_JOBS: withDefault(wholeNumber(1, 10_000), '5'),
  BATCHKEEPER_MAX_QUEUE_SIZE: withDefault(wholeNumber(1), '1000'),
  BATCHKEEPER_TENANT_MAX_QUEUE_SIZE: optional(wholeNumber(1)),
  BATCHKEEPER_TENANT_MAX_CONCURRENT_JOBS: optional(wholeNumber(1, 10_000)),
  BATCHKEEPER_TENANT_MAX_REQUESTS_IN_FLIGHT: optional(wholeNumber(1)),
  BATCHKEEPER_TENANT_DAILY_BUDGET_USD: optional(positiveUsd),
  BATCHKEEPER_DEFAULT_PRIORITY: withDefault(priority, 'NORMAL'),
  BATCHKEEPER_DEDUPLICATION_WINDOW_MS: withDefault(wholeNumber(0), '300000'),
  BATCHKEEPER_DEFAULT_TIMEOUT_MS: withDefault(wholeNumber(1), '86400000'),
  BATCHKEEPER_RETRY_ATTEMPTS: withDefault(wholeNumber(0, 100), '3'),
  BATCHKEEPER_RETRY_DELAY_MS: withDefault(wholeNumber(0), '5000'),
  BATCHKEEPER_LEASE_TTL_MS: withDefault(wholeNumber(100), '30000'),
  BATCHKEEPER_SCHEDULER_INTERVAL_MS: withDefault(wholeNumber(1), '250'),
  BATCHKEEPER_POLL_INTERVAL_MS: withDefault(wholeNumber(1), '1000'),
  BATCHKEEPER_POLL_MAX_MS: withDefault(wholeNumber(1), '30000'),
  BATCHKEEPER_RECONCILE_AFTER_MS: withDefault(wholeNumber(0), '10000'),
  BATCHKEEPER_SUBMIT_TIMEOUT_MS: withDefault(wholeNumber(1000), '180000'),
  BATCHKEEPER_MAX_JSON_BODY_BYTES: withDefault(wholeNumber(1024), String(10 * MEBIBYTE)),
  BATCHKEEPER_HTTP_HEADERS_TIMEOUT_MS: withDefault(wholeNumber(100), '15000'),
  BATCHKEEPER_HTTP_MIN_BODY_BYTES_PER_SECOND: withDefault(wholeNumber(0), '4096'),
  BATCHKEEPER_HTTP_BODY_RATE_GRACE_MS: withDefault(wholeNumber(100), '10000'),
  BATCHKEEPER_HTTP_KEEP_ALIVE_TIMEOUT_MS: withDefault(wholeNumber(100), '5000'),
  BATCHKEEPER_HTTP_MAX_CONNECTIONS: withDefault(wholeNumber(1), '1000'),
  BATCHKEEPER_ANTHROPIC_VERSION: withDefault(
    z.enum(ANTHROPIC_API_VERSIONS, {
      message: `must be one of ${ANTHROPIC_API_VERSIONS.join(', ')}`,
    }),
    DEFAULT_ANTHROPIC_VERSION,
  ),
  BATCHKEEPER_PRICES_FILE: optional(
    z
      .string()
      .trim()
      .transform((path, ctx) => {
        try {
          return readPriceTableFile(path);
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: (error as Error).message });
          return z.NEVER;
        }
      }),
  ),
  BATCHKEEPER_METRICS_TOKEN: optional(z.string().trim().min(16, 'must be at least 16 characters')),
  BATCHKEEPER_PURGE_AFTER_DAYS: optional(wholeNumber(1, 36_500)),
});

/** Reads and checks the configuration; throws a `ConfigError` naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => ({
        variable: String(issue.path[0] ?? 'environment'),
        message: issue.message,
      })),
    );
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.BATCHKEEPER_DATA_DIR,
    listenUrl: e.BATCHKEEPER_LISTEN_URL,
    preparedStatements: e.BATCHKEEPER_PREPARED_STATEMENTS === 'on',
    anthropic: { apiKey: e.ANTHROPIC_API_KEY, baseURL: e.ANTHROPIC_BASE_URL },
    apiKeys: e.BATCHKEEPER_API_KEYS,
    auth: e.BATCHKEEPER_AUTH,
    webhookAllow: e.BATCHKEEPER_WEBHOOK_ALLOW,
    instanceId: e.BATCHKEEPER_INSTANCE_ID,
    encryptionKey: e.BATCHKEEPER_ENCRYPTION_KEY,
    webhookRelay: {
      concurrency: e.BATCHKEEPER_WEBHOOK_CONCURRENCY,
      pollMs: e.BATCHKEEPER_WEBHOOK_POLL_MS,
      listeningPollMs: e.BATCHKEEPER_WEBHOOK_LISTENING_POLL_MS,
    },
    logLevel: e.LOG_LEVEL,
    manager: {
      anthropicVersion: e.BATCHKEEPER_ANTHROPIC_VERSION,
      priceTable: e.BATCHKEEPER_PRICES_FILE,
      maxConcurrentJobs: e.BATCHKEEPER_MAX_CONCURRENT_JOBS,
      maxQueueSize: e.BATCHKEEPER_MAX_QUEUE_SIZE,
      tenantMaxQueueSize: e.BATCHKEEPER_TENANT_MAX_QUEUE_SIZE,
      tenantMaxConcurrentJobs: e.BATCHKEEPER_TENANT_MAX_CONCURRENT_JOBS,
      tenantMaxRequestsInFlight: e.BATCHKEEPER_TENANT_MAX_REQUESTS_IN_FLIGHT,
      tenantDailyBudgetUsd: e.BATCHKEEPER_TENANT_DAILY_BUDGET_USD,
      defaultPriority: e.BATCHKEEPER_DEFAULT_PRIORITY,
      deduplicationWindowMs: e.BATCHKEEPER_DEDUPLICATION_WINDOW_MS,
      defaultTimeoutMs: e.BATCHKEEPER_DEFAULT_TIMEOUT_MS,
      retryAttempts: e.BATCHKEEPER_RETRY_ATTEMPTS,
      retryDelayMs: e.BATCHKEEPER_RETRY_DELAY_MS,
      leaseTtlMs: e.BATCHKEEPER_LEASE_TTL_MS,
      schedulerIntervalMs: e.BATCHKEEPER_SCHEDULER_INTERVAL_MS,
      pollIntervalMs: e.BATCHKEEPER_POLL_INTERVAL_MS,
      pollMaxMs: e.BATCHKEEPER_POLL_MAX_MS,
      reconcileAfterMs: e.BATCHKEEPER_RECONCILE_AFTER_MS,
      submitTimeoutMs: e.BATCHKEEPER_SUBMIT_TIMEOUT_MS,
    },
    http: { maxJsonBodyBytes: e.BATCHKEEPER_MAX_JSON_BODY_BYTES },
    httpServer: {
      headersTimeoutMs: e.BATCHKEEPER_HTTP_HEADERS_TIMEOUT_MS,
      minBodyBytesPerSecond: e.BATCHKEEPER_HTTP_MIN_BODY_BYTES_PER_SECOND,
      bodyRateGraceMs: e.BATCHKEEPER_HTTP_BODY_RATE_GRACE_MS,
      keepAliveTimeoutMs: e.BATCHKEEPER_HTTP_KEEP_ALIVE_TIMEOUT_MS,
      maxConnections: e.BATCHKEEPER_HTTP_MAX_CONNECTIONS,
    },
    metricsToken: e.BATCHKEEPER_METRICS_TOKEN,
    purgeAfterDays: e.BATCHKEEPER_PURGE_AFTER_DAYS,
  };
}

/** What a BatchJobManager takes from `env` (see ManagerEnvironment); read once per manager. */
export function managerEnvironment(env: NodeJS.ProcessEnv = process.env): ManagerEnvironment {
  return {
    ...databaseEnvironment(env),
    anthropicApiKey: env.ANTHROPIC_API_KEY || undefined,
    anthropicBaseUrl: env.ANTHROPIC_BASE_URL || undefined,
    anthropicVersion: env.BATCHKEEPER_ANTHROPIC_VERSION
      ? parseAnthropicVersion(env.BATCHKEEPER_ANTHROPIC_VERSION, 'BATCHKEEPER_ANTHROPIC_VERSION')
      : undefined,
    priceTable: env.BATCHKEEPER_PRICES_FILE
      ? readPriceTableFile(env.BATCHKEEPER_PRICES_FILE)
      : undefined,
    webhookAllow: env.BATCHKEEPER_WEBHOOK_ALLOW ?? '',
    encryptionKey: env.BATCHKEEPER_ENCRYPTION_KEY || undefined,
    instanceId: env.BATCHKEEPER_INSTANCE_ID || `${hostname()}-${process.pid}`,
  };
}

/** Where the database is, for the CLI's commands that open it without a manager (keys, migrate). */
export function databaseEnvironment(env: NodeJS.ProcessEnv = process.env) {
  return {
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: env.BATCHKEEPER_DATA_DIR || undefined,
    listenUrl: env.BATCHKEEPER_LISTEN_URL || undefined,
    preparedStatements: env.BATCHKEEPER_PREPARED_STATEMENTS !== 'off',
  };
}

/** A price table file (the shape of src/domain/anthropic-api/prices.json); throws naming what is wrong. */
export function readPriceTableFile(path: string): PriceTable {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read a JSON price table from ${path}: ${(error as Error).message}`);
  }
  return parsePriceTable(json, path);
}
