import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADVISORY_LOCK_KEYS, takeAdvisoryLock } from '../../src/store/advisory-locks.js';
import type { DatabaseHandle } from '../../src/store/create-database.js';
import { openTestDatabase } from '../support/database.js';

let handle: DatabaseHandle;
beforeAll(async () => {
  handle = await openTestDatabase();
});
afterAll(() => handle.close());

describe('advisory locks', () => {
  it('give every lock a key of its own', () => {
    const keys = Object.values(ADVISORY_LOCK_KEYS);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('hold a lock under its key until the transaction ends', async () => {
    const held = await handle.db.transaction().execute(async (trx) => {
      await takeAdvisoryLock(trx, 'projectionsRebuild');
      const locks = await sql<{ objid: string }>`
        select objid::text from pg_locks where locktype = 'advisory' and pid = pg_backend_pid()
      `.execute(trx);
      return locks.rows.map((row) => Number(row.objid));
    });
    expect(held).toEqual([ADVISORY_LOCK_KEYS.projectionsRebuild]);
  });
});
