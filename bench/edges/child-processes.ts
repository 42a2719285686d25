import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';

const running = new Set<ChildProcess>();
// The runner ends with process.exit, and a crashed benchmark may skip its finally:
// no server or load generator may outlive the run.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Spawns a process that is killed when this one exits, if it is still running then. */
export function spawnTracked(command: string, args: readonly string[], options: SpawnOptions) {
  const child = spawn(command, args, options);
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

export interface FinishedProcess {
  stdout: string;
  stderr: string;
  /** From spawn to exit. */
  ms: number;
}

/**
 * Runs a command to its end; rejects when it exits non-zero or outlives `timeoutMs`.
 * `stdout: 'ignore'` sends its output to /dev/null (nothing is read through this process).
 */
export function runToExit(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; stdout?: 'pipe' | 'ignore'; timeoutMs?: number } = {},
): Promise<FinishedProcess> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawnTracked(command, args, {
      env: options.env ?? process.env,
      stdio: ['ignore', options.stdout ?? 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    // 'close', not 'exit': by then every byte of its output has been read.
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const ms = performance.now() - started;
      if (code === 0) resolve({ stdout, stderr, ms });
      else reject(new Error(`${command} ${args[0] ?? ''} ended with ${signal ?? code}: ${stderr}`));
    });
  });
}
