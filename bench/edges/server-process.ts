import { spawnTracked } from './child-processes.js';

/** A server running in a child process. */
export interface ServerProcess {
  /** e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  readonly pid: number;
  /** SIGTERM, then SIGKILL if it has not exited within a few seconds. */
  stop(): Promise<void>;
}

export interface ServerProcessOptions {
  /** Named in errors. */
  name: string;
  command: string;
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  /** Finds the server's URL in a line of its standard output once it listens. */
  urlFromLine: (line: string) => string | undefined;
  /** (default: 60 s) */
  startTimeoutMs?: number;
}

const STOP_GRACE_MS = 5_000;
const OUTPUT_TAIL_CHARS = 4_000;

/**
 * Starts a server process and resolves once a line of its output names its URL. Its output
 * goes on being read (a full pipe would block it); the tail is kept for error messages.
 */
export function startServerProcess(options: ServerProcessOptions): Promise<ServerProcess> {
  const child = spawnTracked(options.command, options.args, {
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const keep = (chunk: string) => {
    tail = (tail + chunk).slice(-OUTPUT_TAIL_CHARS);
  };
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  };

  return new Promise((resolve, reject) => {
    let pending = '';
    let found = false;
    const fail = (why: string) => {
      clearTimeout(timer);
      void stop();
      reject(new Error(`${options.name} ${why}; its output ended:\n${tail}`));
    };
    const timer = setTimeout(
      () => fail('did not start listening in time'),
      options.startTimeoutMs ?? 60_000,
    );
    child.stderr!.setEncoding('utf8').on('data', keep);
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      keep(chunk);
      if (found) return;
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        const url = options.urlFromLine(line);
        if (url === undefined) continue;
        found = true;
        pending = '';
        clearTimeout(timer);
        resolve({ url, pid: child.pid!, stop });
        return;
      }
    });
    child.once('error', (error) => fail(`could not be started (${error.message})`));
    child.once('exit', (code, signal) => {
      if (!found) fail(`exited with ${signal ?? code} before listening`);
    });
  });
}
