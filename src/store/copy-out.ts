import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';

/**
 * Runs `COPY (…) TO STDOUT` in a transaction of its own, after `setup` (statements without
 * parameters, e.g. `set_config(…, true)`), and answers the bytes Postgres sent, as they came:
 * nothing is decoded into strings. For output a caller bounds (a page): it is held whole.
 */
export type CopyOut = (copy: string, setup?: string) => Promise<Buffer[]>;

/** A CopyOut on connections of `pool` (a real Postgres; PGlite has no COPY TO STDOUT stream). */
export function copyOutOn(pool: pg.Pool): CopyOut {
  return async (copy, setup) => {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('begin');
      if (setup) await client.query(setup);
      const chunks: Buffer[] = [];
      for await (const chunk of client.query(copyTo(copy))) chunks.push(chunk as Buffer);
      await client.query('commit');
      return chunks;
    } catch (error) {
      // A COPY cut part-way leaves the connection mid-protocol: it is closed, not reused.
      broken = error instanceof Error ? error : new Error(String(error));
      throw error;
    } finally {
      client.release(broken);
    }
  };
}
