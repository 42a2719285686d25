import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** The one registry `GET /metrics` serves; every layer records into the metrics below. */
export const metricsRegistry = new Registry();

// Process metrics (CPU, memory, event-loop lag, handles) under their standard names. The
// event-loop delay histogram samples every 100 ms, not prom-client's 10 ms: a 10 ms timer wakes
// an idle process 100 times a second, half of its idle CPU (8 → 4 ms a second measured), paid
// by every instance; a stall long enough to matter still shows.
collectDefaultMetrics({ register: metricsRegistry, eventLoopMonitoringPrecision: 100 });

const registers = [metricsRegistry];

/** HTTP latency, recorded by the metrics middleware; `route` is the matched pattern. */
export const httpRequestDuration = new Histogram({
  name: 'batchkeeper_http_request_duration_seconds',
  help: 'HTTP request latency in seconds by method, route pattern and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers,
});

/** Jobs in each status (`pending`, `queued`, `processing`, ...), as the job list shows them. */
export const jobsByStatus = new Gauge({
  name: 'batchkeeper_jobs',
  help: 'Jobs by status',
  labelNames: ['status'] as const,
  registers,
});

/** Jobs waiting for a slot (pending and queued). */
export const queueDepth = new Gauge({
  name: 'batchkeeper_queue_depth',
  help: 'Jobs waiting to be processed (pending and queued)',
  registers,
});

/** Calls to the Message Batches API by operation (`create`, `retrieve`, `results`, `cancel`, `list`). */
export const anthropicCalls = new Counter({
  name: 'batchkeeper_anthropic_calls_total',
  help: 'Calls to the Anthropic Message Batches API by operation',
  labelNames: ['operation'] as const,
  registers,
});

/** Failed Anthropic calls by operation and error type (`rate_limit_error`, `overloaded_error`, ...). */
export const anthropicErrors = new Counter({
  name: 'batchkeeper_anthropic_errors_total',
  help: 'Failed Anthropic calls by operation and error type',
  labelNames: ['operation', 'type'] as const,
  registers,
});

/** Request results stored, by result type (`succeeded`, `errored`, `canceled`, `expired`). */
export const resultsIngested = new Counter({
  name: 'batchkeeper_results_ingested_total',
  help: 'Request results stored, by result type',
  labelNames: ['type'] as const,
  registers,
});

/** Tokens reported in results, by kind (`input`, `output`, `cache_creation_input`, `cache_read_input`). */
export const tokensUsed = new Counter({
  name: 'batchkeeper_tokens_total',
  help: 'Tokens used by results, by kind',
  labelNames: ['kind'] as const,
  registers,
});

/** What results cost at batch prices, by tenant and kind (`input`, `output`, `cache_write_5m`, `cache_write_1h`, `cache_read`). */
export const costUsd = new Counter({
  name: 'batchkeeper_cost_usd_total',
  help: 'USD results cost at batch prices, by tenant and kind (priced models only)',
  labelNames: ['tenant', 'kind'] as const,
  registers,
});

/** What the same results would have cost more outside the Message Batches API, by tenant. */
export const costSavingUsd = new Counter({
  name: 'batchkeeper_cost_saving_usd_total',
  help: 'USD saved against standard prices by sending results in batches, by tenant',
  labelNames: ['tenant'] as const,
  registers,
});

/** Prompt-cache tokens read by results, by tenant. */
export const cacheReadTokens = new Counter({
  name: 'batchkeeper_cache_read_tokens_total',
  help: 'Prompt-cache tokens read by results, by tenant',
  labelNames: ['tenant'] as const,
  registers,
});

/** Prompt-cache tokens written by results, by tenant and TTL (`5m`, `1h`). */
export const cacheWriteTokens = new Counter({
  name: 'batchkeeper_cache_write_tokens_total',
  help: 'Prompt-cache tokens written by results, by tenant and TTL',
  labelNames: ['tenant', 'ttl'] as const,
  registers,
});

/** What cache reads saved against the same requests unprimed, at batch prices (cache-report.ts), by tenant. */
export const cacheSavedUsd = new Counter({
  name: 'batchkeeper_cache_saved_usd_total',
  help: 'USD the prompt cache saved against writing every token read, at batch prices, by tenant (known savings only)',
  labelNames: ['tenant'] as const,
  registers,
});

/** Webhook delivery attempts by outcome (`delivered`, `failed`, `dead`, `refused`). */
export const webhookDeliveries = new Counter({
  name: 'batchkeeper_webhook_deliveries_total',
  help: 'Webhook delivery attempts by outcome',
  labelNames: ['outcome'] as const,
  registers,
});

/**
 * How long the oldest committed event not yet commit-safe has waited (0 when none): a long
 * transaction anywhere on the database holds the horizon, and every feed reader, back
 * (docs/audit.md).
 */
export const eventFeedLag = new Gauge({
  name: 'batchkeeper_event_feed_lag_seconds',
  help: 'Seconds the commit-safe horizon of GET /v1/events trails the newest committed events',
  registers,
});
