import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createDatabase } from '../../src/store/create-database.js';
import { migrate } from '../../src/store/migrate.js';
import { benchServerUrl } from '../support.js';

/** A URL on the benchmark server for `database`. */
export function urlOfDatabase(database: string): string {
  const url = new URL(benchServerUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** The database name in a Postgres URL. */
export function databaseOfUrl(url: string): string {
  return decodeURIComponent(new URL(url).pathname.slice(1));
}

/**
 * A connection to the server's `postgres` database: for statistics and samples
 * that must not count as work in the benchmark's own database.
 */
export async function connectAdmin(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: urlOfDatabase('postgres') });
  client.on('error', () => {});
  await client.connect();
  return client;
}

/** An empty database (a peer installs its own schema in it); `drop()` removes it. */
export interface ScratchDatabase {
  readonly name: string;
  readonly url: string;
  drop(): Promise<void>;
}

export async function createScratchDatabase(prefix: string): Promise<ScratchDatabase> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = await connectAdmin();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  return {
    name,
    url: urlOfDatabase(name),
    drop: async () => {
      const dropper = await connectAdmin();
      try {
        await dropper.query(`drop database if exists ${name} with (force)`);
      } finally {
        await dropper.end();
      }
    },
  };
}

/** An empty database with batchkeeper's migrations applied, and nobody connected to it. */
export async function createMigratedDatabase(prefix: string): Promise<ScratchDatabase> {
  const database = await createScratchDatabase(prefix);
  try {
    const handle = await createDatabase({ databaseUrl: database.url, poolSize: 1 });
    try {
      await migrate(handle.db);
    } finally {
      await handle.close();
    }
    return database;
  } catch (error) {
    await database.drop();
    throw error;
  }
}
