import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';

/**
 * Transactions the server has counted for `database` (xact_commit + xact_rollback),
 * once every session of it has ended. A backend reports its counts when it exits
 * but otherwise may hold them back for up to 10 s (PGSTAT_IDLE_INTERVAL), so a
 * read while sessions live can be short. Read from another database, so that
 * reading costs the measured one nothing.
 */
export async function settledTransactionCount(admin: pg.Client, database: string): Promise<number> {
  for (let waited = 0; ; waited += 50) {
    const { rows } = await admin.query<{ n: string }>(
      'select count(*) as n from pg_stat_activity where datname = $1',
      [database],
    );
    if (Number(rows[0]!.n) === 0) break;
    if (waited > 30_000) throw new Error(`sessions of ${database} did not end`);
    await sleep(50);
  }
  const { rows } = await admin.query<{ n: string }>(
    'select xact_commit + xact_rollback as n from pg_stat_database where datname = $1',
    [database],
  );
  return Number(rows[0]?.n ?? 0);
}
