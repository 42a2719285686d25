import { ApiError, EXIT } from './api-client.js';

/**
 * Wraps a command's action: an ApiError (or any failure) is printed on stderr and sets the exit
 * code (3 not found, 4 refused, 2 bad input, 1 otherwise) instead of a stack trace.
 */
export function apiAction<A extends unknown[]>(
  action: (...args: A) => Promise<void>,
): (...args: A) => Promise<void> {
  return async (...args) => {
    try {
      await action(...args);
    } catch (error) {
      if (error instanceof ApiError) {
        console.error(`error: ${error.message}`);
        process.exitCode = error.exitCode;
        return;
      }
      throw error;
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

export { EXIT };
