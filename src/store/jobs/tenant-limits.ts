import type { Selectable } from 'kysely';
import type { DbOrTrx } from '../schema/index.js';
import type { TenantLimitsTable } from '../schema/jobs.tables.js';

/** A tenant's overrides; an absent field keeps the default. */
export interface TenantLimitOverrides {
  maxQueueSize?: number | null;
  maxConcurrentJobs?: number | null;
  maxRequestsInFlight?: number | null;
  /** USD a UTC day (migration 0017). */
  dailyBudgetUsd?: number | null;
}

export interface TenantLimitsRow {
  tenant: string;
  maxQueueSize: number | null;
  maxConcurrentJobs: number | null;
  maxRequestsInFlight: number | null;
  dailyBudgetUsd: number | null;
  updatedAt: Date;
}

/** Sets (or, with null, clears) the given overrides of one tenant; the others are kept. */
export async function setTenantLimits(
  db: DbOrTrx,
  tenant: string,
  overrides: TenantLimitOverrides,
): Promise<TenantLimitsRow> {
  const values = {
    ...(overrides.maxQueueSize !== undefined && { max_queue_size: overrides.maxQueueSize }),
    ...(overrides.maxConcurrentJobs !== undefined && {
      max_concurrent_jobs: overrides.maxConcurrentJobs,
    }),
    ...(overrides.maxRequestsInFlight !== undefined && {
      max_requests_in_flight: overrides.maxRequestsInFlight,
    }),
    ...(overrides.dailyBudgetUsd !== undefined && { daily_budget_usd: overrides.dailyBudgetUsd }),
  };
  const row = await db
    .insertInto('tenant_limits')
    .values({ tenant, ...values })
    .onConflict((oc) => oc.column('tenant').doUpdateSet({ ...values, updated_at: new Date() }))
    .returningAll()
    .executeTakeFirstOrThrow();
  return toTenantLimits(row);
}

/** Removes every override of one tenant; whether it had any. */
export async function clearTenantLimits(db: DbOrTrx, tenant: string): Promise<boolean> {
  const result = await db
    .deleteFrom('tenant_limits')
    .where('tenant', '=', tenant)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function listTenantLimits(db: DbOrTrx): Promise<TenantLimitsRow[]> {
  const rows = await db.selectFrom('tenant_limits').selectAll().orderBy('tenant').execute();
  return rows.map(toTenantLimits);
}

function toTenantLimits(row: Selectable<TenantLimitsTable>): TenantLimitsRow {
  return {
    tenant: row.tenant,
    maxQueueSize: row.max_queue_size,
    maxConcurrentJobs: row.max_concurrent_jobs,
    maxRequestsInFlight: row.max_requests_in_flight,
    dailyBudgetUsd: row.daily_budget_usd,
    updatedAt: new Date(row.updated_at),
  };
}
