import { fileURLToPath } from 'node:url';
import { runToExit } from './child-processes.js';

const RUN_TS = fileURLToPath(new URL('../../bin/run-ts', import.meta.url));
const CHILD = fileURLToPath(new URL('./http-load.child.ts', import.meta.url));

/** How long to load, or how many requests to send (a warm-up that must finish). */
export type LoadLength = { seconds: number } | { requests: number };

export interface HttpLoadOptions {
  url: string;
  connections: number;
  length: LoadLength;
  method?: 'GET' | 'POST';
  /** A file holding the request body (sent as application/json). */
  bodyFile?: string;
  /** Replace every `[<id>]` in the body with an id of its own in each request. */
  uniqueIds?: boolean;
}

export interface HttpLoadResult {
  /** 2xx answers per second over the run. */
  requestsPerSecond: number;
  answered2xx: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
}

interface AutocannonResult {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
  latency: { p50: number; p99: number };
}

/**
 * Loads `url` with autocannon in a process of its own (`http-load.child.ts`), so the load
 * generator never takes the event loop of a process it measures. Refuses a run in which a
 * request failed or was answered other than 2xx: its rate would not be the route's.
 */
export async function httpLoad(options: HttpLoadOptions): Promise<HttpLoadResult> {
  const { stdout } = await runToExit(process.execPath, [RUN_TS, CHILD, JSON.stringify(options)], {
    timeoutMs: 5 * 60_000,
  });
  const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as AutocannonResult;
  const failed = result.errors + result.timeouts + result.non2xx;
  if (failed > 0 || result['2xx'] === 0) {
    throw new Error(
      `load on ${options.url}: ${result['2xx']} answered 2xx, ${result.non2xx} not, ${result.errors} errors, ${result.timeouts} timeouts`,
    );
  }
  return {
    requestsPerSecond: result['2xx'] / result.duration,
    answered2xx: result['2xx'],
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
  };
}
