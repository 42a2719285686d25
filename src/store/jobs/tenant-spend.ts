import { sql } from 'kysely';
import type { TenantBudgetUse } from '../../domain/tenant-budget.js';
import type { DbOrTrx } from '../schema/index.js';

/**
 * A tenant's daily budget (its override, else `fallback`; null: none) and, when it has one,
 * what counts against it on the UTC day starting at `dayStart`: the cost of its sub-batches
 * collected since then, and the worst case of those not collected yet. One statement over
 * the batch rows (job_batches, migration 0017); a deleted job's batches are no longer counted.
 * Read under the tenant's budget lock, the batch rows written by the commits before are seen.
 */
export async function readTenantBudgetUse(
  db: DbOrTrx,
  tenant: string,
  dayStart: Date,
  fallback: number | null,
): Promise<TenantBudgetUse | null> {
  const row = await sql<{ budget: number | null; spent: number; worst: number }>`
    select
      (select daily_budget_usd from tenant_limits where tenant = ${tenant}) as budget,
      coalesce(sum(b.cost_usd) filter (where b.status = 'collected' and b.collected_at >= ${dayStart}), 0)::float8 as spent,
      coalesce(sum(b.worst_case_usd) filter (where b.status <> 'collected'), 0)::float8 as worst
    from job_batches b
    join jobs j on j.id = b.job_id
    where j.tenant = ${tenant}
      and (b.status <> 'collected' or b.collected_at >= ${dayStart})
  `.execute(db);
  const found = row.rows[0];
  const dailyBudgetUsd = found?.budget ?? fallback;
  if (dailyBudgetUsd === null) return null;
  return {
    dailyBudgetUsd,
    spentTodayUsd: Number(found?.spent ?? 0),
    inFlightWorstUsd: Number(found?.worst ?? 0),
  };
}

/** A tenant's daily budget alone: its override, else `fallback` (null: none). */
export async function readTenantDailyBudget(
  db: DbOrTrx,
  tenant: string,
  fallback: number | null,
): Promise<number | null> {
  const row = await db
    .selectFrom('tenant_limits')
    .select('daily_budget_usd')
    .where('tenant', '=', tenant)
    .executeTakeFirst();
  return row?.daily_budget_usd ?? fallback;
}

/**
 * Jobs paused for their tenant's daily budget, by tenant, then priority and age, at most
 * `limit` (the partial index jobs_paused_for_tenant_budget).
 */
export async function findJobsPausedForTenantBudget(
  db: DbOrTrx,
  limit: number,
): Promise<Array<{ id: string; tenant: string }>> {
  return db
    .selectFrom('jobs')
    .select(['id', 'tenant'])
    .where('paused_for', '=', 'tenant-budget')
    .orderBy('tenant')
    .orderBy('priority')
    .orderBy('created_at')
    .limit(limit)
    .execute();
}
