import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type DatabaseHandle } from '../../src/store/create-database.js';
import {
  createTestDatabaseUrl,
  dropTestDatabase,
  openTestDatabase,
  testPostgresUrl,
} from '../support/database.js';
import { buildTestApp } from './test-app.js';

const KEYS = [{ tenant: 'acme', key: 'acme-key-0123456789' }];

describe('GET /healthz and GET /readyz', () => {
  let database: DatabaseHandle;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(async () => {
    await database.close();
  });

  it('healthz answers 200 ok without an API key although keys are configured', async () => {
    const { app } = buildTestApp(database, { apiKeys: KEYS });
    const response = await app.request('/healthz');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('readyz answers 200 when the database answers and every migration is applied', async () => {
    const { app } = buildTestApp(database, { apiKeys: KEYS });
    const response = await app.request('/readyz');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ready' });
  });

  it('readyz answers 503 once shutdown has begun', async () => {
    const { app } = buildTestApp(database, { isShuttingDown: () => true });
    const response = await app.request('/readyz');
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({
      error: { type: 'not_ready_error', message: 'shutting down' },
    });
  });

  it('readyz answers 503 when the database does not answer', async () => {
    const unreachable = await openUnreachableDatabase();
    try {
      const { app } = buildTestApp(unreachable);
      const response = await app.request('/readyz');
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({
        error: { type: 'not_ready_error', message: 'the database does not answer' },
      });
    } finally {
      await unreachable.close();
    }
  });

  it('readyz answers 503 while migrations are pending', async () => {
    const { handle, drop } = await openEmptyDatabase();
    try {
      const { app } = buildTestApp(handle);
      const response = await app.request('/readyz');
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({
        error: { type: 'not_ready_error', message: 'database migrations are not all applied' },
      });
    } finally {
      await drop();
    }
  });
});

/** A Postgres handle pointing at a port where nothing listens: every query fails to connect. */
function openUnreachableDatabase(): Promise<DatabaseHandle> {
  return createDatabase({ databaseUrl: 'postgres://postgres@127.0.0.1:1/nothing', poolSize: 1 });
}

/** A database with no migrations applied, on the same kind of server the tests use. */
async function openEmptyDatabase(): Promise<{ handle: DatabaseHandle; drop: () => Promise<void> }> {
  if (!testPostgresUrl()) {
    const handle = await createDatabase({ dataDir: 'memory' });
    return { handle, drop: () => handle.close() };
  }
  const url = await createTestDatabaseUrl();
  const handle = await createDatabase({ databaseUrl: url, poolSize: 2 });
  // The clone comes migrated; forget the migrations so the schema counts as not applied.
  await sql`drop table schema_migrations`.execute(handle.db);
  return {
    handle,
    drop: async () => {
      await handle.close();
      await dropTestDatabase(url);
    },
  };
}
