/**
 * How long and how slowly a client may hold a connection. Every field has a default; `serve`
 * reads them from the environment (BATCHKEEPER_HTTP_*, see docs/operations.md).
 */
export interface HttpServerLimits {
  /** The longest a client may take to send a request's headers, from its first byte (default: 15000). */
  headersTimeoutMs: number;
  /**
   * A request body must arrive at least this fast on average, counted once it has taken
   * `bodyRateGraceMs`; a slower one is cut (default: 4096 bytes/s). Time the server spends not
   * reading (its own backpressure) does not count. Responses are never rate-limited: a client
   * may read an event stream or a results download as slowly as it likes.
   */
  minBodyBytesPerSecond: number;
  /** How long a body may arrive at any pace before the rate is judged (default: 10000). */
  bodyRateGraceMs: number;
  /** An idle kept-alive connection is closed after this long (default: 5000). */
  keepAliveTimeoutMs: number;
  /** Connections open at once; more are closed as they arrive (default: 1000). */
  maxConnections: number;
}

export const DEFAULT_HTTP_SERVER_LIMITS: HttpServerLimits = {
  headersTimeoutMs: 15_000,
  minBodyBytesPerSecond: 4096,
  bodyRateGraceMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 1000,
};

/** How often the header deadline and the body rate are checked: a fraction of the shortest. */
export function limitCheckIntervalMs(limits: HttpServerLimits): number {
  return Math.max(10, Math.min(1000, limits.headersTimeoutMs / 4, limits.bodyRateGraceMs / 4));
}
