import type { Command } from 'commander';
import { isPriority, priorityName } from '../domain/priority.js';
import { ApiClient, EXIT } from './api-client.js';
import { reportError } from './cli-error.js';

/**
 * Wraps the action of a command that talks to the server: it gets an ApiClient for the
 * `--url`/`--api-key` options (or BATCHKEEPER_URL, BATCHKEEPER_API_KEY), and a failure is printed
 * as `error: …` with its exit code (3 not found, 4 refused, 2 bad input, 1 otherwise) instead of
 * a stack trace.
 */
export function apiAction<A extends unknown[]>(
  action: (client: ApiClient, ...args: A) => Promise<void>,
): (...args: A) => Promise<void> {
  return async (...args) => {
    // Commander passes the command last, whatever the action declares.
    const command = args.at(-1) as Command;
    try {
      await action(ApiClient.fromOptions(command.optsWithGlobals()), ...args);
    } catch (error) {
      process.exitCode = reportError(error);
    }
  };
}

/** Prints a value as one line of JSON (the `--json` output of every command). */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/** Left-aligned columns separated by two spaces; the first row is the header. */
export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** Counts as `12 completed, 1 failed`, leaving out the zeros (`nothing` when all are). */
export function formatCounts(counts: Record<string, number>): string {
  const parts = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([name, n]) => `${n} ${name}`);
  return parts.length === 0 ? 'nothing' : parts.join(', ');
}

/** A priority as people read it: `high` for 2; the wire number stays in `--json`. */
export function priorityLabel(priority: unknown): string {
  return isPriority(priority) ? priorityName(priority).toLowerCase() : String(priority);
}

/** `1 batch`, `2 batches`. */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

export { EXIT };
