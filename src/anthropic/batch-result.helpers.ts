import type { BatchResult } from './batch.types.js';

/**
 * The error type of an errored result, read from the nested envelope
 * (`result.error.error.type`); undefined for any other outcome.
 * @example erroredResultType(line) === 'overloaded_error' // worth another attempt
 */
export function erroredResultType(line: BatchResult): string | undefined {
  return line.result.type === 'errored' ? line.result.error.error.type : undefined;
}
