import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { TestProject } from 'vitest/node';
import { createDatabase } from '../../src/store/create-database.js';
import { migrate } from '../../src/store/migrate.js';
import { adminUrl, templateDatabase, withDatabase } from './database-urls.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A Postgres server to make test databases on; absent: tests use PGlite. */
    postgresUrl: string | undefined;
    /** The migrated template this run's test databases are cloned from. */
    templateDatabase: string;
    /** A migrated PGlite cluster as a tarball, which each PGlite test database starts from. */
    pgliteTemplatePath: string | undefined;
  }
}

/**
 * Picks the Postgres the tests run on: DATABASE_URL when set, else a
 * testcontainers Postgres when a Docker engine answers, else none (PGlite).
 * On a real server it builds a migrated template that each test file clones.
 */
export default async function setup(project: TestProject) {
  const { url, stop } = await choosePostgres();
  const template = templateDatabase(`${process.pid}_${Date.now().toString(36)}`);
  project.provide('postgresUrl', url);
  project.provide('templateDatabase', template);
  if (url) await buildTemplate(url, template);
  const pgliteTemplatePath = url ? undefined : await buildPGliteTemplate();
  project.provide('pgliteTemplatePath', pgliteTemplatePath);
  console.log(`tests run on ${url ? `Postgres (${new URL(url).host})` : 'PGlite (embedded)'}`);
  return async () => {
    if (pgliteTemplatePath) await rm(pgliteTemplatePath, { force: true });
    if (url) await dropDatabase(url, template);
    await stop?.();
  };
}

async function choosePostgres(): Promise<{ url: string | undefined; stop?: () => Promise<void> }> {
  if (process.env.BATCHKEEPER_TEST_DB === 'pglite') return { url: undefined };
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL };
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await withTimeout(getContainerRuntimeClient(), 5_000);
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer('postgres:15-alpine').start();
    return { url: container.getConnectionUri(), stop: async () => void (await container.stop()) };
  } catch {
    return { url: undefined };
  }
}

async function buildTemplate(url: string, name: string) {
  const admin = await createDatabase({ databaseUrl: adminUrl(url), poolSize: 1 });
  try {
    await sql.raw(`create database ${name}`).execute(admin.db);
  } finally {
    await admin.close();
  }
  const template = await createDatabase({
    databaseUrl: withDatabase(url, name),
    poolSize: 1,
  });
  try {
    await migrate(template.db);
  } finally {
    await template.close();
  }
}

/** Migrating a fresh PGlite takes seconds; loading a migrated one's tarball a fraction of that. */
async function buildPGliteTemplate(): Promise<string> {
  const handle = await createDatabase({ dataDir: 'memory' });
  try {
    await migrate(handle.db);
    const path = join(tmpdir(), `batchkeeper-pglite-template-${process.pid}-${Date.now()}.tar`);
    await writeFile(path, Buffer.from(await (await handle.dump!()).arrayBuffer()));
    return path;
  } finally {
    await handle.close();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timed out')), ms).unref()),
  ]);
}

async function dropDatabase(url: string, name: string) {
  const admin = await createDatabase({ databaseUrl: adminUrl(url), poolSize: 1 });
  try {
    await sql.raw(`drop database if exists ${name} with (force)`).execute(admin.db);
  } finally {
    await admin.close();
  }
}
