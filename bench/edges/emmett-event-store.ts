import { getPostgreSQLEventStore } from '@event-driven-io/emmett-postgresql';
import pg from 'pg';
import { createScratchDatabase } from '../support.js';

/** Emmett's PostgreSQL event store on a database of its own (it creates its own schema). */
export interface EmmettSide {
  /** Appends one event at `version` (1-based) as Emmett does: its own transaction, version checked. */
  append(
    stream: string,
    version: number,
    data: Record<string, unknown>,
    metadata: Record<string, unknown>,
  ): Promise<void>;
  close(): Promise<void>;
}

/** As many connections as the event store's side has (8 writers + 2). */
const POOL_SIZE = 10;

export async function openEmmettEventStore(): Promise<EmmettSide> {
  const database = await createScratchDatabase();
  // Our own pool, so that a connection the server ends (the drop at the end cuts them)
  // is an event we listen to, not an unhandled 'error' that kills the run.
  const pool = new pg.Pool({ connectionString: database.url, max: POOL_SIZE });
  pool.on('error', () => {});
  const store = getPostgreSQLEventStore(database.url, { connectionOptions: { pool } });
  const close = async () => {
    try {
      await store.close();
      await pool.end();
    } finally {
      await database.drop();
    }
  };
  try {
    await store.schema.migrate();
  } catch (error) {
    await close();
    throw error;
  }
  return {
    async append(stream, version, data, metadata) {
      await store.appendToStream(stream, [{ type: 'ProgressRecorded', data, metadata }], {
        expectedStreamVersion: BigInt(version - 1),
      });
    },
    close,
  };
}
