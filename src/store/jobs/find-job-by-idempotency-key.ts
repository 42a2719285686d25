import type { DbOrTrx } from '../schema/index.js';

/** The id of the tenant's job created with this Idempotency-Key (a unique index holds one at most). */
export async function findJobIdByIdempotencyKey(
  db: DbOrTrx,
  tenant: string,
  key: string,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('jobs')
    .select('id')
    .where('tenant', '=', tenant)
    .where('idempotency_key', '=', key)
    .executeTakeFirst();
  return row?.id;
}
