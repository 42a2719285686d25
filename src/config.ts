import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { z } from 'zod';
import {
  ANTHROPIC_API_VERSIONS,
  type AnthropicApiVersion,
  DEFAULT_ANTHROPIC_VERSION,
  parseAnthropicVersion,
} from './domain/anthropic-api/api-version.js';
import { type PriceTable, parsePriceTable } from './domain/pricing.js';
import { PRIORITY_NAMES, toPriority } from './domain/priority.js';

/** pino's levels, as `LOG_LEVEL` accepts them. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** A tenant name: letters, digits, `_`, `.`, `-`; at most 64 characters. */
export const TENANT_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

const MEBIBYTE = 1024 * 1024;

/**
 * Who may call the API. `open`: anyone, as tenant `default` (a key that is sent must still be
 * valid); served on a loopback address only. `keys`: every call needs a key.
 */
export const AUTH_MODES = ['open', 'keys'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

/** One `tenant:key` pair from `BATCHKEEPER_API_KEYS`. */
export interface ConfiguredApiKey {
  tenant: string;
  key: string;
}

/** The manager's options (the seed's constructor options). */
export interface ManagerConfig {
  /** The `anthropic-version` jobs are validated and sent under (BATCHKEEPER_ANTHROPIC_VERSION; default: 2026-10-21). */
  anthropicVersion: AnthropicApiVersion;
  /** The price table BATCHKEEPER_PRICES_FILE holds (default: the shipped one). */
  priceTable: PriceTable | undefined;
  /** Jobs this instance processes at once (default: 5). */
  maxConcurrentJobs: number;
  /** Pending and queued jobs accepted before 429 (default: 1000). */
  maxQueueSize: number;
  /** One tenant's pending and queued jobs (BATCHKEEPER_TENANT_MAX_QUEUE_SIZE; default: maxQueueSize). */
  tenantMaxQueueSize: number | undefined;
  /** Slots of one instance a tenant may hold (BATCHKEEPER_TENANT_MAX_CONCURRENT_JOBS; default: maxConcurrentJobs - 1, at least 1). */
  tenantMaxConcurrentJobs: number | undefined;
  /** Requests one tenant may have at Anthropic (BATCHKEEPER_TENANT_MAX_REQUESTS_IN_FLIGHT; default: 80% of all). */
  tenantMaxRequestsInFlight: number | undefined;
  /** USD a tenant's jobs may be billed a UTC day (BATCHKEEPER_TENANT_DAILY_BUDGET_USD; default: none). */
  tenantDailyBudgetUsd: number | undefined;
  /** 1 (CRITICAL) .. 5 (BACKGROUND) (default: 3, NORMAL). */
  defaultPriority: number;
  /** How long a request fingerprint deduplicates (default: 300000). */
  deduplicationWindowMs: number;
  /** A job's deadline when it names none (default: 86400000). */
  defaultTimeoutMs: number;
  /** Re-submissions of a retryable failure (default: 3). */
  retryAttempts: number;
  /** Pause before a re-submission (default: 5000). */
  retryDelayMs: number;
  /** How long a job's lease lasts without renewal; a crashed instance's jobs wait this long (default: 30000). */
  leaseTtlMs: number;
  /** How often the scheduler looks for work (default: 250). */
  schedulerIntervalMs: number;
  /** First wait between status polls of a batch (default: 1000). */
  pollIntervalMs: number;
  /** Longest wait between status polls of a batch (default: 30000). */
  pollMaxMs: number;
  /** Age of an unconfirmed submission before it is looked for at Anthropic (default: 10000). */
  reconcileAfterMs: number;
  /** The longest one batch creation may take, retries included (default: 180000). */
  submitTimeoutMs: number;
}

/** Everything batchkeeper reads from its environment, parsed and checked. */
export interface Config {
  /** Where the HTTP server listens (default: 8080; 0 picks a free port). */
  port: number;
  /** (default: 127.0.0.1) */
  host: string;
  /** A Postgres URL; absent: embedded PGlite in `dataDir`. */
  databaseUrl: string | undefined;
  /** (default: ./.data) */
  dataDir: string;
  /** A direct (unpooled) Postgres URL for LISTEN when databaseUrl goes through a pooler. */
  listenUrl: string | undefined;
  /** Named prepared statements on the hot path (default: true; off behind a transaction pooler). */
  preparedStatements: boolean;
  /** Absent `apiKey`: the built-in simulator is started and used. */
  anthropic: { apiKey: string | undefined; baseURL: string | undefined };
  /** Keys from `BATCHKEEPER_API_KEYS`; the api_keys table may hold more. */
  apiKeys: ConfiguredApiKey[];
  /**
   * `BATCHKEEPER_AUTH`; unset: decided at start (`keys` if `apiKeys` is set or a stored key
   * exists, else `open`), and never changed while the process runs.
   */
  auth: AuthMode | undefined;
  /** Hosts and CIDRs a webhook may target although private. */
  webhookAllow: string[];
  /** This instance's name in leases and event metadata (default: host-pid). */
  instanceId: string;
  /** Encrypts stored webhook secrets: 64 hex digits, base64 of 32 bytes, or a passphrase. */
  encryptionKey: string | undefined;
  /** The webhook relay's pace. */
  webhookRelay: {
    /** Deliveries sent at once (default: 32). */
    concurrency: number;
    /** Poll for due deliveries while wake-ups (LISTEN) do not arrive (default: 1000). */
    pollMs: number;
    /** Poll while wake-ups arrive: the longest a retry that falls due waits (default: 5000). */
    listeningPollMs: number;
  };
  logLevel: LogLevel;
  manager: ManagerConfig;
  http: {
    /** Largest `application/json` request body in bytes (default: 10 MiB). */
    maxJsonBodyBytes: number;
  };
  /** How long and how slowly a client may hold a connection (see docs/operations.md). */
  httpServer: {
    headersTimeoutMs: number;
    minBodyBytesPerSecond: number;
    bodyRateGraceMs: number;
    keepAliveTimeoutMs: number;
    maxConnections: number;
  };
  /** `BATCHKEEPER_METRICS_TOKEN`: the bearer token `/metrics` asks for when auth is `keys`. */
  metricsToken: string | undefined;
  /**
   * `BATCHKEEPER_PURGE_AFTER_DAYS`: the payloads (request bodies, results) of jobs ended longer
   * ago are purged by `serve`, their digests kept (docs/audit.md); unset: kept for ever.
   */
  purgeAfterDays: number | undefined;
}

/** A configuration value that cannot be used; the message names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly issues: { variable: string; message: string }[]) {
    super(
      `invalid configuration:\n${issues.map((i) => `  ${i.variable}: ${i.message}`).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

const blankToUndefined = (value: unknown) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

/** A variable that may be unset (or blank); `fallback` is parsed like a given value. */
function withDefault<T extends z.ZodType>(schema: T, fallback: string) {
  return z.preprocess((value) => blankToUndefined(value) ?? fallback, schema);
}

function optional<T extends z.ZodType>(schema: T) {
  return z.preprocess(blankToUndefined, schema.optional());
}

/** A positive amount of US dollars, e.g. `25` or `2.50`. */
const positiveUsd = z
  .string()
  .trim()
  .regex(/^\d+(\.\d+)?$/, 'must be a positive amount of USD, e.g. 25 or 2.50')
  .transform(Number)
  .pipe(z.number().positive('must be more than 0'));

function wholeNumber(min: number, max = Number.MAX_SAFE_INTEGER) {
  return z
    .string()
    .trim()
    .regex(/^\d+$/, `must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));
}

const priority = z
  .string()
  .trim()
  .transform((value, ctx) => {
    const number = toPriority(value);
    if (number === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `must be 1..5 or one of ${PRIORITY_NAMES.join(', ')}`,
      });
      return z.NEVER;
    }
    return number;
  });

const commaList = z.string().transform((value) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== ''),
);

const apiKeyList = commaList.transform((entries, ctx) => {
  const keys: ConfiguredApiKey[] = [];
  entries.forEach((entry, index) => {
    const colon = entry.indexOf(':');
    const tenant = entry.slice(0, colon);
    const key = entry.slice(colon + 1);
    if (colon < 0 || !TENANT_PATTERN.test(tenant) || key.length < 16) {
      ctx.addIssue({
        code: 'custom',
        message: `entry ${index + 1} must be tenant:key (tenant of letters, digits, _ . -; key of at least 16 characters)`,
      });
      return;
    }
    keys.push({ tenant, key });
  });
  return keys;
});

const httpUrl = z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' });

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

/**
 * What a BatchJobManager takes from the environment where its options say nothing: the
 * library's defaults, read once when a manager is made. Not checked like loadConfig (a
 * library user's process may hold anything; `serve` checks its variables and passes every
 * setting to the manager itself).
 */
export interface ManagerEnvironment {
  databaseUrl: string | undefined;
  dataDir: string | undefined;
  listenUrl: string | undefined;
  preparedStatements: boolean;
  anthropicApiKey: string | undefined;
  anthropicBaseUrl: string | undefined;
  anthropicVersion: AnthropicApiVersion | undefined;
  priceTable: PriceTable | undefined;
  webhookAllow: string;
  encryptionKey: string | undefined;
  instanceId: string;
}

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
