import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Cleanups } from '../../test/chaos/support/cleanups.js';
import { startBareHonoProcess } from './bare-hono-process.js';
import { rssBytes } from './proc-stats.js';
import { countsBetween, type QueryCounts, splitTransactionControl } from './query-counts.js';
import { createMigratedDatabase } from './scratch-database.js';
import { startServeProcess } from './serve-process.js';
import { startAll } from './start-all.js';

const MB = 1024 * 1024;

/** What one idle round saw. */
export interface IdleRound {
  /** What the serve on Postgres sent over the window. */
  queries: QueryCounts;
  windowSeconds: number;
  /** VmRSS at the end of the window, bytes. */
  rss: { postgres: number; pglite: number; bare: number };
}

/** Every statement, BEGIN/COMMIT included. */
export function statementsOf(queries: QueryCounts): number {
  const { work, control } = splitTransactionControl(queries);
  return work + control;
}

/**
 * Starts a serve on a fresh migrated Postgres database (its statements
 * counted), a serve on embedded PGlite in a fresh folder, as `npm start` runs
 * it, and the bare Hono app; waits `settleMs`, counts the Postgres serve's
 * statements over `windowMs`, then reads each one's RSS. Stops them all.
 */
export async function measureIdleRound(settleMs: number, windowMs: number): Promise<IdleRound> {
  const cleanups = new Cleanups();
  try {
    const dataDir = mkdtempSync(join(tmpdir(), 'bench-idle-pglite-'));
    cleanups.add(async () => rmSync(dataDir, { recursive: true, force: true }));
    const database = await createMigratedDatabase('batchkeeper_bench_idle');
    cleanups.add(() => database.drop());
    const [onPostgres, onPGlite] = await startAll([
      startServeProcess('idle-postgres', {
        DATABASE_URL: database.url,
        // Never called while idle; set so that no simulator runs inside this one.
        ANTHROPIC_API_KEY: 'bench',
        ANTHROPIC_BASE_URL: 'http://127.0.0.1:9',
        LOG_LEVEL: 'warn',
      }),
      startServeProcess('idle-pglite', { BATCHKEEPER_DATA_DIR: dataDir, LOG_LEVEL: 'warn' }),
    ]);
    cleanups.add(() => onPostgres.stop().then(() => {}));
    cleanups.add(() => onPGlite.stop().then(() => {}));
    const bare = await startBareHonoProcess();
    cleanups.add(() => bare.stop());
    await sleep(settleMs);
    const before = await onPostgres.queryCounts();
    const startedAt = performance.now();
    await sleep(windowMs);
    const after = await onPostgres.queryCounts();
    const windowSeconds = (performance.now() - startedAt) / 1000;
    const round: IdleRound = {
      queries: countsBetween(before, after),
      windowSeconds,
      rss: {
        postgres: rssBytes(onPostgres.pid),
        pglite: rssBytes(onPGlite.pid),
        bare: rssBytes(bare.pid),
      },
    };
    console.log(
      `idle round: ${(statementsOf(round.queries) / windowSeconds).toFixed(1)} statements/s; RSS postgres ${mb(round.rss.postgres)}, pglite ${mb(round.rss.pglite)}, bare ${mb(round.rss.bare)}`,
    );
    return round;
  } finally {
    await cleanups.run();
  }
}

function mb(bytes: number): string {
  return `${(bytes / MB).toFixed(0)} MB`;
}
