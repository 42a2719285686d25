import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnBatchkeeper } from '../../test/chaos/support/child-process.js';
import { freePort } from './free-port.js';
import { killOnExit } from './kill-on-exit.js';
import {
  QUERY_COUNTER_PRELOAD,
  type QueryCounts,
  readQueryCountsFile,
  requestQueryCounts,
} from './query-counts.js';

/** How long a start may take (tsx compiles the sources on a cold start). */
const START_TIMEOUT_MS = 90_000;
/** How long a graceful stop may take before SIGKILL. */
const STOP_TIMEOUT_MS = 15_000;

/** A `batchkeeper serve` child with its statements counted at the pg client. */
export interface ServeProcess {
  readonly name: string;
  readonly url: string;
  readonly pid: number;
  /** What it has sent through pg so far. */
  queryCounts(): Promise<QueryCounts>;
  /**
   * SIGTERM (SIGKILL if it has not ended within 15 s); the counts it wrote as it
   * exited, or null if it had to be killed. Safe to call twice.
   */
  stop(): Promise<QueryCounts | null>;
}

/**
 * Starts `batchkeeper serve` with `env` (only these of our variables are set)
 * and resolves once it answers /readyz. Its log and counts go to a temporary
 * folder that stop() removes.
 */
export async function startServeProcess(
  name: string,
  env: Record<string, string>,
): Promise<ServeProcess> {
  const folder = mkdtempSync(join(tmpdir(), `bench-${name}-`));
  const logFile = join(folder, 'serve.log');
  const countsFile = join(folder, 'query-counts.json');
  const port = await freePort();
  const nodeOptions = [process.env.NODE_OPTIONS, `--import=${QUERY_COUNTER_PRELOAD}`]
    .filter(Boolean)
    .join(' ');
  const child = spawnBatchkeeper(
    ['serve'],
    {
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
      NODE_OPTIONS: nodeOptions,
      BENCH_QUERY_COUNTS_FILE: countsFile,
    },
    logFile,
  );
  killOnExit(child.process);
  let exited = false;
  void child.exited.then(() => {
    exited = true;
  });

  let stopping: Promise<QueryCounts | null> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      let graceful = true;
      if (!exited) {
        child.process.kill('SIGTERM');
        graceful = await Promise.race([
          child.exited.then(() => true),
          sleep(STOP_TIMEOUT_MS, false),
        ]);
        if (!graceful) {
          child.process.kill('SIGKILL');
          await child.exited;
        }
      }
      const final = graceful ? await readQueryCountsFile(countsFile) : null;
      rmSync(folder, { recursive: true, force: true });
      return final;
    })();
    return stopping;
  };

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (exited || Date.now() > deadline) {
      const log = readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n');
      await stop();
      throw new Error(`${name} did not start (${exited ? 'it exited' : 'timed out'}):\n${log}`);
    }
    try {
      if ((await fetch(`${url}/readyz`)).status === 200) break;
    } catch {
      // Not listening yet.
    }
    await sleep(50);
  }
  return {
    name,
    url,
    pid: child.process.pid!,
    queryCounts: () => requestQueryCounts(child.process.pid!, countsFile),
    stop,
  };
}
