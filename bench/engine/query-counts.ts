import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/** What one process sent through node-postgres (see query-counter.preload.mjs). */
export interface QueryCounts {
  /** Statements by first keyword (`select`, `insert`, `begin`…). */
  readonly statements: Readonly<Record<string, number>>;
  /** Server transactions those statements make: blocks, statements outside one, connections. */
  readonly transactions: number;
  readonly connections: number;
}

export const NO_QUERIES: QueryCounts = { statements: {}, transactions: 0, connections: 0 };

/** The preload that counts them; pass it to a child as `NODE_OPTIONS=--import=<path>`. */
export const QUERY_COUNTER_PRELOAD = new URL('./query-counter.preload.mjs', import.meta.url)
  .pathname;

/** Transaction control, shown apart from the statements that do the work. */
const TRANSACTION_CONTROL = new Set(['begin', 'start', 'commit', 'end', 'rollback']);

interface CountsFile extends QueryCounts {
  readonly seq: number;
}

/**
 * Asks the child (SIGUSR2) to write its counts to `file` and waits until a write
 * newer than the last one read is there.
 */
export async function requestQueryCounts(pid: number, file: string): Promise<QueryCounts> {
  const before = await readQueryCountsFile(file);
  process.kill(pid, 'SIGUSR2');
  for (let waited = 0; waited < 5_000; waited += 10) {
    const now = await readQueryCountsFile(file);
    if (now && now.seq > (before?.seq ?? 0)) return now;
    await sleep(10);
  }
  throw new Error(`process ${pid} did not write its query counts to ${file}`);
}

/** The last counts the child wrote (at exit, the final ones); null if none. */
export async function readQueryCountsFile(file: string): Promise<CountsFile | null> {
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch {
    // Not written yet, or caught half-written: the next read sees it whole.
    return null;
  }
}

/** after − before. */
export function countsBetween(before: QueryCounts, after: QueryCounts): QueryCounts {
  return {
    statements: Object.fromEntries(
      Object.entries(after.statements)
        .map(([keyword, n]) => [keyword, n - (before.statements[keyword] ?? 0)] as const)
        .filter(([, n]) => n !== 0),
    ),
    transactions: after.transactions - before.transactions,
    connections: after.connections - before.connections,
  };
}

/** The counts of several processes added up. */
export function sumCounts(all: readonly QueryCounts[]): QueryCounts {
  const statements: Record<string, number> = {};
  let transactions = 0;
  let connections = 0;
  for (const counts of all) {
    for (const [keyword, n] of Object.entries(counts.statements))
      statements[keyword] = (statements[keyword] ?? 0) + n;
    transactions += counts.transactions;
    connections += counts.connections;
  }
  return { statements, transactions, connections };
}

/** Inserts of results rows: the statement count leaves them out ("results rows excluded"). */
export const RESULT_ROWS = 'results-rows';

/** Statements besides BEGIN/COMMIT/ROLLBACK and the results rows, and those apart. */
export function splitTransactionControl(counts: QueryCounts): {
  work: number;
  control: number;
} {
  let work = 0;
  let control = 0;
  for (const [keyword, n] of Object.entries(counts.statements)) {
    if (TRANSACTION_CONTROL.has(keyword)) control += n;
    else if (keyword !== RESULT_ROWS) work += n;
  }
  return { work, control };
}

/** `select 41.2, insert 12.0, …` per `per`, largest first. */
export function describeStatements(counts: QueryCounts, per = 1): string {
  return Object.entries(counts.statements)
    .sort(([, a], [, b]) => b - a)
    .map(([keyword, n]) => `${keyword} ${(n / per).toFixed(1)}`)
    .join(', ');
}
