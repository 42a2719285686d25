import { sql } from 'kysely';
import type { Trx } from './schema/index.js';

/**
 * Every advisory lock batchkeeper takes, in one place so that no two share a key. All are
 * transaction-scoped. The global ones are in the single-bigint key space
 * (`pg_advisory_xact_lock(bigint)`); a lock per tenant is in the two-int4 space, its key the
 * first int and the tenant's hash the second. 7_240_002 was the tenant lock createJob no longer
 * takes: not reused.
 */
export const ADVISORY_LOCK_KEYS = {
  /** Migrations at start-up: one instance migrates, the others wait and find the work done. */
  migrations: 7_240_001,
  /** `projections rebuild`: one at a time. */
  projectionsRebuild: 7_240_003,
  /** Per tenant: a sub-batch's check of the tenant's daily budget and its intent, one at a time. */
  tenantBudget: 7_240_004,
} as const;

export type AdvisoryLock = keyof typeof ADVISORY_LOCK_KEYS;

/** Takes the named lock until the transaction ends, waiting for whoever holds it. */
export async function takeAdvisoryLock(trx: Trx, lock: AdvisoryLock): Promise<void> {
  await sql`select pg_advisory_xact_lock(${ADVISORY_LOCK_KEYS[lock]})`.execute(trx);
}

/** Takes the named lock of one tenant until the transaction ends (a hash collision only serializes more). */
export async function takeTenantAdvisoryLock(
  trx: Trx,
  lock: AdvisoryLock,
  tenant: string,
): Promise<void> {
  await sql`select pg_advisory_xact_lock(${ADVISORY_LOCK_KEYS[lock]}::int4, hashtext(${tenant}))`.execute(
    trx,
  );
}
