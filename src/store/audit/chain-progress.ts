import { sql } from 'kysely';
import type { DbOrTrx, Trx } from '../schema/index.js';

/** How far chaining the events written before migration 0010 has got. */
export interface ChainProgress {
  chainUntil: number;
  chainedUpTo: number;
  doneAt: Date | null;
}

type ProgressRow = { chain_until: string; chained_up_to: string; done_at: Date | null };

function rowToProgress(row: ProgressRow): ChainProgress {
  return {
    chainUntil: Number(row.chain_until),
    chainedUpTo: Number(row.chained_up_to),
    doneAt: row.done_at,
  };
}

/** The progress row, locked so that one chainer at a time moves it on. */
export async function lockChainProgress(trx: Trx): Promise<ChainProgress> {
  const { rows } = await sql<ProgressRow>`
    select chain_until, chained_up_to, done_at from event_chain_progress for update`.execute(trx);
  return rowToProgress(rows[0]!);
}

export async function readChainProgress(db: DbOrTrx): Promise<ChainProgress> {
  const { rows } = await sql<ProgressRow>`
    select chain_until, chained_up_to, done_at from event_chain_progress`.execute(db);
  return rowToProgress(rows[0]!);
}

export async function saveChainProgress(
  trx: Trx,
  progress: { chainedUpTo: number; done: boolean },
): Promise<void> {
  await sql`update event_chain_progress
    set chained_up_to = ${progress.chainedUpTo},
        done_at = case when ${progress.done} then now() end`.execute(trx);
}

/** The other transactions of this database writing to the events table now (virtual ids). */
export async function eventWriters(trx: Trx): Promise<string[]> {
  const { rows } = await sql<{ virtualtransaction: string }>`
    select virtualtransaction from pg_locks
    where locktype = 'relation' and relation = 'events'::regclass and mode = 'RowExclusiveLock'
      and database = (select oid from pg_database where datname = current_database())
      and pid is distinct from pg_backend_pid()`.execute(trx);
  return rows.map((row) => row.virtualtransaction);
}

/** Which of these transactions are still running. */
export async function stillRunning(trx: Trx, virtualIds: readonly string[]): Promise<string[]> {
  if (virtualIds.length === 0) return [];
  const { rows } = await sql<{ virtualxid: string }>`
    select virtualxid from pg_locks
    where locktype = 'virtualxid' and virtualxid = any(${virtualIds as string[]}::text[])`.execute(
    trx,
  );
  return rows.map((row) => row.virtualxid);
}
