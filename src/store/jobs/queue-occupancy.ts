import { sql } from 'kysely';
import type { QueueOccupancy } from '../../domain/queue-admission.js';
import type { DbOrTrx } from '../schema/index.js';

/**
 * How full the queue is for `tenant` (what decideAdmission needs) and the tenant's own queue
 * quota if it has one, in one statement. Read without a lock: creations committing at this
 * moment are not counted, so concurrent ones may pass a limit by their number.
 */
export async function readQueueOccupancy(
  db: DbOrTrx,
  tenant: string,
  maxQueueSize: number,
): Promise<QueueOccupancy & { maxQueueSizeOverride: number | null }> {
  // The tenants waiting are counted only when the shared queue is full: the only case
  // decideAdmission reads them in, and the dearest count (a distinct over every waiting job).
  const { rows } = await sql<{
    waiting: number;
    waiting_mine: number;
    tenants_waiting: number;
    max_queue_size: number | null;
  }>`
    with counts as (
      select count(*)::int as waiting,
             (count(*) filter (where tenant = ${tenant}))::int as waiting_mine
      from jobs where status in ('pending', 'queued')
    )
    select waiting, waiting_mine,
           case when waiting >= ${maxQueueSize}::int
                then (select count(distinct tenant)::int from jobs
                      where status in ('pending', 'queued'))
                else 0 end as tenants_waiting,
           (select max_queue_size from tenant_limits where tenant = ${tenant}) as max_queue_size
    from counts
  `.execute(db);
  const row = rows[0];
  return {
    waiting: row?.waiting ?? 0,
    waitingMine: row?.waiting_mine ?? 0,
    tenantsWaiting: row?.tenants_waiting ?? 0,
    maxQueueSizeOverride: row?.max_queue_size ?? null,
  };
}
