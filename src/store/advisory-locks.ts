import { sql } from 'kysely';
import type { Trx } from './schema/index.js';

/**
 * Every advisory lock batchkeeper takes, in one place so that no two share a key. All are
 * transaction-scoped and in the single-bigint key space (`pg_advisory_xact_lock(bigint)`); the
 * two-int4 space is unused. 7_240_002 was the tenant lock createJob no longer takes: not reused.
 */
export const ADVISORY_LOCK_KEYS = {
  /** Migrations at start-up: one instance migrates, the others wait and find the work done. */
  migrations: 7_240_001,
  /** `projections rebuild`: one at a time. */
  projectionsRebuild: 7_240_003,
} as const;

export type AdvisoryLock = keyof typeof ADVISORY_LOCK_KEYS;

/** Takes the named lock until the transaction ends, waiting for whoever holds it. */
export async function takeAdvisoryLock(trx: Trx, lock: AdvisoryLock): Promise<void> {
  await sql`select pg_advisory_xact_lock(${ADVISORY_LOCK_KEYS[lock]})`.execute(trx);
}
