// The shapes of the configuration loadConfig returns, and the names some variables accept.
import type { AnthropicApiVersion } from '../domain/anthropic-api/api-version.js';
import type { PriceTable } from '../domain/pricing.js';

/** pino's levels, as `LOG_LEVEL` accepts them. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** A tenant name: letters, digits, `_`, `.`, `-`; at most 64 characters. */
export const TENANT_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

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
