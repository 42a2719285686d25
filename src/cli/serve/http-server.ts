import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { guardBodyRate } from './body-rate-guard.js';
import {
  DEFAULT_HTTP_SERVER_LIMITS,
  type HttpServerLimits,
  limitCheckIntervalMs,
} from './http-server.options.js';

/** A listening HTTP server. */
export interface HttpServer {
  /** e.g. `http://127.0.0.1:8080`, with the port actually bound (PORT=0 picks one). */
  url: string;
  /**
   * Stops accepting connections, lets requests in flight finish, and after
   * `graceMs` cuts the connections still open (event streams never end by themselves).
   */
  close(graceMs: number): Promise<void>;
}

export interface HttpServerOptions {
  port: number;
  host: string;
  /** How long and how slowly a client may hold a connection (defaults: DEFAULT_HTTP_SERVER_LIMITS). */
  limits?: Partial<HttpServerLimits> | undefined;
  /** Told of each connection cut for a body too slow (for a log line). */
  onSlowBody?: ((request: IncomingMessage) => void) | undefined;
}

/** Serves `fetch` (a Hono app's) on host:port; rejects if the address cannot be bound. */
export async function startHttpServer(
  fetch: (request: Request) => Response | Promise<Response>,
  options: HttpServerOptions,
): Promise<HttpServer> {
  const limits = { ...DEFAULT_HTTP_SERVER_LIMITS, ...options.limits };
  const checkEveryMs = limitCheckIntervalMs(limits);
  const server = createAdaptorServer({
    fetch,
    serverOptions: {
      headersTimeout: limits.headersTimeoutMs,
      // Off: the body rate bounds a request instead, so a large upload on a steady link is
      // never cut at a fixed age; a response (an event stream) was never bounded by it.
      requestTimeout: 0,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: checkEveryMs,
    },
  }) as Server;
  server.maxConnections = limits.maxConnections;
  const stopGuard = guardBodyRate(server, {
    minBytesPerSecond: limits.minBodyBytesPerSecond,
    graceMs: limits.bodyRateGraceMs,
    checkEveryMs,
    onCut: options.onSlowBody,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((error: unknown) => {
    stopGuard();
    throw error;
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: (graceMs) =>
      new Promise<void>((resolve) => {
        const cut = setTimeout(() => server.closeAllConnections(), graceMs);
        server.close(() => {
          clearTimeout(cut);
          stopGuard();
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}
