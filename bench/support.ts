import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { createDatabase, type DatabaseHandle } from '../src/store/create-database.js';
import { migrate } from '../src/store/migrate.js';

/** The Postgres server benchmarks run on (DATABASE_URL, else the local one). */
export const benchServerUrl =
  process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A fresh migrated database on the benchmark server; `close()` drops it. */
export async function openBenchDatabase(poolSize = 16): Promise<DatabaseHandle> {
  const name = `batchkeeper_bench_${randomBytes(4).toString('hex')}`;
  const adminUrl = new URL(benchServerUrl);
  adminUrl.pathname = '/postgres';
  const admin = await createDatabase({ databaseUrl: adminUrl.toString(), poolSize: 1 });
  await sql.raw(`create database ${name}`).execute(admin.db);
  const url = new URL(benchServerUrl);
  url.pathname = `/${name}`;
  const handle = await createDatabase({ databaseUrl: url.toString(), poolSize });
  await migrate(handle.db);
  return {
    ...handle,
    close: async () => {
      await handle.close();
      await sql.raw(`drop database if exists ${name} with (force)`).execute(admin.db);
      await admin.close();
    },
  };
}

/** Runs `work(i)` for i in [0, count) on `concurrency` workers. */
export async function runConcurrently(
  count: number,
  concurrency: number,
  work: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await work(next++);
    }),
  );
}

export function printResult(name: string, lines: Record<string, string | number>) {
  console.log(`\n## ${name}`);
  for (const [key, value] of Object.entries(lines)) console.log(`${key.padEnd(28)} ${value}`);
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
