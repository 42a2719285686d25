import { sql } from 'kysely';
import type { DbOrTrx } from '../schema/index.js';

/** A tenant's webhook deliveries still to be sent (`pending`) and given up on (`dead`). */
export async function countOpenDeliveries(
  db: DbOrTrx,
  tenant: string,
): Promise<{ pending: number; dead: number }> {
  const { rows } = await sql<{ pending: number; dead: number }>`
    select count(*) filter (where status = 'pending')::int as pending,
           count(*) filter (where status = 'dead')::int as dead
    from webhook_deliveries
    where tenant = ${tenant} and status in ('pending', 'dead')`.execute(db);
  return { pending: rows[0]?.pending ?? 0, dead: rows[0]?.dead ?? 0 };
}
