import { dirname } from 'node:path';
import { ApiError, EXIT } from './api-client.js';

/** A failure the CLI explains itself: printed as `error: <message>`, then exit `exitCode`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failure,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** A write to a pipe whose reader has gone (`… | head`): not a failure, nothing more to say. */
export function isBrokenPipe(error: unknown): boolean {
  return (error as { code?: string } | undefined)?.code === 'EPIPE';
}

/**
 * Prints `error: …` for a failure and answers the exit code: the CLI's own errors and the
 * server's answers with their codes (3 not found, 4 refused, 2 bad input), a held embedded
 * database 4, anything else 1; never a stack trace. A broken pipe prints nothing and is 0.
 */
export function reportError(error: unknown): number {
  if (isBrokenPipe(error)) return EXIT.ok;
  if (error instanceof CliError || error instanceof ApiError) {
    console.error(`error: ${error.message}`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  console.error(`error: ${message}`);
  // A database command on an embedded folder another process holds: refused, not failed.
  if (error instanceof Error && error.name === 'DataDirLockedError') return EXIT.refused;
  return EXIT.failure;
}

/** Words for the file-system errors people meet, by code. */
const WRITE_REASONS: Record<string, (path: string) => string> = {
  ENOENT: (path) => `directory does not exist (create ${dirname(path)} first)`,
  ENOTDIR: (path) => `${dirname(path)} is not a directory`,
  EISDIR: () => 'it is a directory; name a file in it',
  EACCES: () => 'permission denied',
  EPERM: () => 'permission denied',
  EROFS: () => 'read-only file system',
  ENOSPC: () => 'no space left on the device',
};

const READ_REASONS: Record<string, (path: string) => string> = {
  ENOENT: () => 'no such file',
  ENOTDIR: (path) => `${dirname(path)} is not a directory`,
  EISDIR: () => 'it is a directory; name a file',
  EACCES: () => 'permission denied',
  EPERM: () => 'permission denied',
};

/**
 * What went wrong opening `path` for writing, in words that say what to fix:
 * `cannot write /missing/dir/x: directory does not exist (create /missing/dir first)`.
 */
export function cannotWrite(path: string, error: unknown): CliError {
  return new CliError(`cannot write ${path}: ${reason(WRITE_REASONS, path, error)}`, EXIT.usage);
}

/** The same for reading: `cannot read jobs.jsonl: no such file`. */
export function cannotRead(path: string, error: unknown): CliError {
  return new CliError(`cannot read ${path}: ${reason(READ_REASONS, path, error)}`, EXIT.usage);
}

function reason(
  reasons: Record<string, (path: string) => string>,
  path: string,
  error: unknown,
): string {
  const code = (error as { code?: string } | undefined)?.code;
  const known = code === undefined ? undefined : reasons[code];
  if (known) return known(path);
  return error instanceof Error ? error.message : String(error);
}
