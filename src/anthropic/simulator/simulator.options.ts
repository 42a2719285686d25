import {
  type CatalogueModel,
  SHIPPED_MODEL_CATALOGUE,
} from '../../domain/anthropic-api/model-catalogue.js';
import type { Clock } from '../../domain/clock.js';
import { ValidationError } from '../../domain/errors.js';
import { MESSAGE_BATCH_LIMITS } from '../message-batch.limits.js';

/** The Message Batches endpoints, as fault settings name them. */
export const BATCH_ENDPOINTS = [
  'create',
  'retrieve',
  'list',
  'cancel',
  'delete',
  'results',
  'count_tokens',
] as const;
export type BatchEndpoint = (typeof BATCH_ENDPOINTS)[number];

/** Faults in HTTP answers, each the fraction (0..1) of calls that get it. */
export interface HttpFaultRates {
  /** 429 `rate_limit_error` with `retry-after`; nothing is done. */
  rateLimitRate: number;
  /** 529 `overloaded_error`; nothing is done. */
  overloadRate: number;
  /** 500 `api_error`; nothing is done. */
  serverErrorRate: number;
  /** The connection is cut before the call is handled; nothing is done. */
  connectionResetRate: number;
  /** The call is handled, then the connection is cut before the answer (a created batch nobody heard of). */
  responseLossRate: number;
  /** The answer waits `slowMs` (real time) before it is sent. */
  slowRate: number;
}

/** Error types an injected errored result may carry. */
export const INJECTED_RESULT_ERROR_TYPES = ['overloaded_error', 'api_error'] as const;
export type InjectedResultErrorType = (typeof INJECTED_RESULT_ERROR_TYPES)[number];

/** Every fault the simulator can inject; all off by default. */
export interface FaultSettings extends HttpFaultRates {
  /** Per-endpoint rates, overriding the ones above for that endpoint. */
  endpoints: Partial<Record<BatchEndpoint, Partial<HttpFaultRates>>>;
  /** Real milliseconds a slow answer waits (default: 2000). */
  slowMs: number;
  /** The `retry-after` seconds of an injected 429 (default: 1). */
  retryAfterSeconds: number;
  /** Fraction of requests whose result is errored, by error type. */
  erroredResultRates: Partial<Record<InjectedResultErrorType, number>>;
  /** For this long after creation, every call naming a batch answers 404 (default: 0). */
  transientNotFoundMs: number;
  /** Fraction of results downloads cut half-way through. */
  resultsCutRate: number;
  /**
   * Fraction of succeeded results whose text holds a NUL (`\u0000`) and a lone surrogate
   * (`\ud800`): valid JSON that Postgres's jsonb cannot store (a test switch, default: 0).
   */
  unstorableTextRate: number;
}

/** How to start a simulator; everything is optional. */
export interface SimulatorOptions {
  /** Interface to listen on (default: 127.0.0.1). */
  host?: string;
  /** Port to listen on; 0 picks a free one (default: 0). */
  port?: number;
  /** Time a batch takes to process all its requests, on the simulator's clock (default: 1000). */
  latencyMs?: number;
  /** Time between a cancel and the batch ending (default: min(latencyMs, 1000), at least 1). */
  cancelLatencyMs?: number;
  /** Seed of the fault and errored-result draws (default: 1). */
  seed?: number;
  /** Requests that may wait in unfinished batches at once; more is a 429 (default: 100,000). */
  processingQueueLimit?: number;
  /** The shared rate limit of all batch endpoints, calls a minute (default: off). */
  requestsPerMinute?: number;
  /** Largest create body in bytes; more is a 413 (default: 256 MB). */
  maxRequestBytes?: number;
  /** Where the simulator's time comes from; `advance()` moves it on either way (default: the system clock). */
  clock?: Clock;
  /** Faults to inject from the start. */
  faults?: Partial<FaultSettings>;
  /** The models GET /v1/models lists and batch requests are checked against (default: the shipped catalogue). */
  models?: readonly CatalogueModel[];
  /** What every answer carries as `anthropic-organization-id` (default: a fixed uuid). */
  organizationId?: string;
}

/** What /_simulator/stats answers. */
export interface SimulatorStats {
  batchesCreated: number;
  /** Requests in all created batches. */
  requestsReceived: number;
  /** Succeeded requests whose custom_id and params had already succeeded in another batch: money spent twice. */
  resubmittedAfterSuccess: number;
  /** Calls to the batch endpoints, refused ones included. */
  httpRequests: number;
  /** Calls refused by the shared rate limit or the processing-queue limit. */
  rateLimited: number;
  /** `count_tokens` calls answered. */
  tokenCounts: number;
  /** Faults injected, by kind. */
  faultsInjected: Record<InjectedFaultKind, number>;
}

export type InjectedFaultKind =
  | 'rate_limit'
  | 'overloaded'
  | 'server_error'
  | 'connection_reset'
  | 'response_loss'
  | 'slow'
  | 'not_found'
  | 'results_cut';

export const NO_FAULTS: FaultSettings = {
  rateLimitRate: 0,
  overloadRate: 0,
  serverErrorRate: 0,
  connectionResetRate: 0,
  responseLossRate: 0,
  slowRate: 0,
  endpoints: {},
  slowMs: 2000,
  retryAfterSeconds: 1,
  erroredResultRates: {},
  transientNotFoundMs: 0,
  resultsCutRate: 0,
  unstorableTextRate: 0,
};

/** The settings a simulator runs with once defaults are filled in. */
export interface ResolvedSimulatorSettings {
  latencyMs: number;
  cancelLatencyMs: number;
  seed: number;
  processingQueueLimit: number;
  requestsPerMinute: number | undefined;
  maxRequestBytes: number;
  models: readonly CatalogueModel[];
  organizationId: string;
}

/** Fills in defaults and refuses settings that make no sense. */
export function resolveSimulatorSettings(options: SimulatorOptions): ResolvedSimulatorSettings {
  const latencyMs = nonNegative('latencyMs', options.latencyMs ?? 1000);
  return {
    latencyMs,
    cancelLatencyMs: Math.max(
      1,
      nonNegative('cancelLatencyMs', options.cancelLatencyMs ?? Math.min(latencyMs, 1000)),
    ),
    seed: Math.trunc(options.seed ?? 1),
    processingQueueLimit: positive('processingQueueLimit', options.processingQueueLimit ?? 100_000),
    requestsPerMinute:
      options.requestsPerMinute === undefined
        ? undefined
        : positive('requestsPerMinute', options.requestsPerMinute),
    maxRequestBytes: positive(
      'maxRequestBytes',
      options.maxRequestBytes ?? MESSAGE_BATCH_LIMITS.maxBodyBytes,
    ),
    models: options.models ?? SHIPPED_MODEL_CATALOGUE.models,
    organizationId: options.organizationId ?? '0b7c3f64-5a2e-4c1d-9e8f-7a6b5c4d3e2f',
  };
}

/** Merges a partial fault update into settings; a rate outside 0..1 is a ValidationError. */
export function mergeFaults(current: FaultSettings, update: Partial<FaultSettings>): FaultSettings {
  const next: FaultSettings = {
    ...current,
    ...update,
    endpoints: { ...current.endpoints, ...update.endpoints },
    erroredResultRates: { ...current.erroredResultRates, ...update.erroredResultRates },
  };
  for (const [name, value] of Object.entries(rateFields(next))) fraction(name, value);
  fraction('resultsCutRate', next.resultsCutRate);
  fraction('unstorableTextRate', next.unstorableTextRate);
  for (const [endpoint, rates] of Object.entries(next.endpoints)) {
    for (const [name, value] of Object.entries(rates ?? {})) fraction(`${endpoint}.${name}`, value);
  }
  const erroredTotal = Object.values(next.erroredResultRates).reduce((a, b) => a + (b ?? 0), 0);
  for (const [type, value] of Object.entries(next.erroredResultRates)) fraction(type, value ?? 0);
  if (erroredTotal > 1) throw new ValidationError('erroredResultRates add up to more than 1');
  nonNegative('slowMs', next.slowMs);
  nonNegative('retryAfterSeconds', next.retryAfterSeconds);
  nonNegative('transientNotFoundMs', next.transientNotFoundMs);
  return next;
}

/** The fault rates that apply to one endpoint. */
export function ratesFor(faults: FaultSettings, endpoint: BatchEndpoint): HttpFaultRates {
  return { ...rateFields(faults), ...faults.endpoints[endpoint] };
}

function rateFields(faults: FaultSettings): HttpFaultRates {
  return {
    rateLimitRate: faults.rateLimitRate,
    overloadRate: faults.overloadRate,
    serverErrorRate: faults.serverErrorRate,
    connectionResetRate: faults.connectionResetRate,
    responseLossRate: faults.responseLossRate,
    slowRate: faults.slowRate,
  };
}

function fraction(name: string, value: number): number {
  if (!(value >= 0 && value <= 1)) throw new ValidationError(`${name} must be a fraction 0..1`);
  return value;
}

function nonNegative(name: string, value: number): number {
  if (!(Number.isFinite(value) && value >= 0)) throw new ValidationError(`${name} must be >= 0`);
  return value;
}

function positive(name: string, value: number): number {
  if (!(Number.isFinite(value) && value > 0)) throw new ValidationError(`${name} must be > 0`);
  return value;
}
