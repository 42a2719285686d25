import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { createDatabase, type DatabaseHandle } from '../src/store/create-database.js';
import { migrate } from '../src/store/migrate.js';

/** The Postgres server benchmarks run on (DATABASE_URL, else the local one). */
export const benchServerUrl =
  process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** An empty database on the benchmark server. */
export interface ScratchDatabase {
  readonly name: string;
  readonly url: string;
  /** Drops it, cutting any session still connected. */
  drop(): Promise<void>;
}

/** Creates an empty database `batchkeeper_bench_<random>` on the benchmark server. */
export async function createScratchDatabase(): Promise<ScratchDatabase> {
  const name = `batchkeeper_bench_${randomBytes(4).toString('hex')}`;
  const adminUrl = new URL(benchServerUrl);
  adminUrl.pathname = '/postgres';
  const admin = await createDatabase({ databaseUrl: adminUrl.toString(), poolSize: 1 });
  try {
    await sql.raw(`create database ${name}`).execute(admin.db);
  } catch (error) {
    await admin.close();
    throw error;
  }
  const url = new URL(benchServerUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: async () => {
      try {
        await sql.raw(`drop database if exists ${name} with (force)`).execute(admin.db);
      } finally {
        await admin.close();
      }
    },
  };
}

/** A fresh migrated database on the benchmark server; `close()` drops it. */
export async function openBenchDatabase(poolSize = 16): Promise<DatabaseHandle> {
  const scratch = await createScratchDatabase();
  let handle: DatabaseHandle | undefined;
  try {
    handle = await createDatabase({ databaseUrl: scratch.url, poolSize });
    await migrate(handle.db);
  } catch (error) {
    await handle?.close();
    await scratch.drop();
    throw error;
  }
  const opened = handle;
  return {
    ...opened,
    close: async () => {
      try {
        await opened.close();
      } finally {
        await scratch.drop();
      }
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

/**
 * The order the sides run in during `round`: every pair of rounds rotates by
 * one, and the second of the pair runs reversed, so each side goes first as
 * often as the others and does not always follow the same side (a burst of
 * load spoils one round's ratio, not one side). Two sides: AB BA BA AB.
 */
export function roundOrder<Side>(sides: readonly Side[], round: number): Side[] {
  const shift = Math.floor(round / 2) % sides.length;
  const order = [...sides.slice(shift), ...sides.slice(0, shift)];
  return round % 2 === 1 ? order.reverse() : order;
}

/**
 * Measures every side once per round, back to back in `roundOrder`; returns
 * each side's value per round (index = round), ready for per-round ratios.
 */
export async function pairedRounds<Side extends string>(
  sides: readonly Side[],
  rounds: number,
  measure: (side: Side, round: number) => Promise<number>,
): Promise<Record<Side, number[]>> {
  const values = Object.fromEntries(sides.map((side) => [side, [] as number[]])) as Record<
    Side,
    number[]
  >;
  for (let round = 0; round < rounds; round++) {
    for (const side of roundOrder(sides, round)) values[side][round] = await measure(side, round);
  }
  return values;
}

/** `ours[i] / baseline[i]` for every round. */
export function perRoundRatios(ours: readonly number[], baseline: readonly number[]): number[] {
  return ours.map((value, i) => value / baseline[i]!);
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

/** Bytes as megabytes with one decimal, e.g. "43.9 MB". */
export function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
