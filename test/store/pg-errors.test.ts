import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/store/create-database.js';
import { isDeadlock, isForeignKeyViolation, isUniqueViolation } from '../../src/store/pg-errors.js';
import { openTestDatabase } from '../support/database.js';
import { insertJobRow } from '../support/job-row.js';

let handle: DatabaseHandle;
beforeAll(async () => {
  handle = await openTestDatabase();
});
afterAll(() => handle.close());

const errorOf = (work: () => Promise<unknown>) =>
  work().then(
    () => undefined,
    (error: unknown) => error,
  );

// Chained (a hash, linked to a previous one), as every append writes it: the foreign key checks it.
const insertEvent = (version: number) =>
  sql`insert into events (stream_id, version, type, data, metadata, hash, previous_hash)
      values ('pg-errors', ${version}, 'Counted', '{}', '{}', '\\x01', '\\x02')`.execute(handle.db);

describe('Postgres errors', () => {
  it('tells a unique violation by its code, and by its constraint when named', async () => {
    await insertJobRow(handle.db, 'acme', 'twice');
    const error = await errorOf(() => insertJobRow(handle.db, 'acme', 'twice'));
    expect(isUniqueViolation(error)).toBe(true);
    expect(isUniqueViolation(error, 'jobs_pkey')).toBe(true);
    expect(isUniqueViolation(error, 'events_stream_version')).toBe(false);
    expect(isForeignKeyViolation(error)).toBe(false);
  });

  it('tells a foreign key violation by its constraint', async () => {
    const error = await errorOf(() => insertEvent(2));
    expect(isForeignKeyViolation(error, 'events_previous_version')).toBe(true);
    expect(isUniqueViolation(error)).toBe(false);
  });

  it('answers false for what is not a database error', () => {
    for (const error of [undefined, null, 'text', new Error('plain'), { code: 23505 }]) {
      expect(isUniqueViolation(error) || isForeignKeyViolation(error) || isDeadlock(error)).toBe(
        false,
      );
    }
  });
});
