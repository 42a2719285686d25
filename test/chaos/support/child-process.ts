import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';

export const BIN = new URL('../../../bin/batchkeeper', import.meta.url).pathname;

/** How a child ended: its exit code, or the signal that ended it. */
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A `bin/batchkeeper` child whose output goes to a log file. */
export interface Child {
  readonly process: ChildProcess;
  readonly exited: Promise<Exit>;
}

/**
 * Starts `batchkeeper <args>` with our variables cleared from the inherited
 * environment (only `env` sets them), stdout and stderr appended to `logFile`.
 */
export function spawnBatchkeeper(
  args: string[],
  env: Record<string, string>,
  logFile: string,
  stdout: 'log' | 'pipe' = 'log',
): Child {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) =>
        !name.startsWith('BATCHKEEPER_') &&
        !name.startsWith('ANTHROPIC_') &&
        !['DATABASE_URL', 'PORT', 'HOST', 'LOG_LEVEL'].includes(name),
    ),
  );
  const log = openSync(logFile, 'a');
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...inherited, ...env },
    stdio: ['ignore', stdout === 'log' ? log : 'pipe', log],
  });
  const exited = new Promise<Exit>((resolve) =>
    child.once('exit', (code, signal) => {
      closeSync(log);
      resolve({ code, signal });
    }),
  );
  return { process: child, exited };
}
