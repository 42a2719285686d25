import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const BIN = new URL('../../bin/batchkeeper', import.meta.url).pathname;

/** Each run starts a process that compiles TypeScript and opens a database (an embedded one is slow to create). */
export const CHILD_TIMEOUT_MS = 120_000;

export interface ServeProcess {
  child: ChildProcess;
  /** Every JSON log line so far. */
  lines: Record<string, unknown>[];
  /** Every line of stdout so far, as text (pretty logs are not JSON). */
  text: string[];
  stderr: () => string;
  /** Resolves with the first log line that `match` accepts (rejects if serve exits first). */
  waitForLine(match: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  /** Resolves once it listens, with a URL to call it at (`0.0.0.0` turned into `127.0.0.1`). */
  listening(): Promise<string>;
  exited: Promise<number | null>;
}

/** The environment a child starts from: ours, cleared of every variable batchkeeper reads. */
export function inheritedEnv(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] =>
        entry[1] !== undefined &&
        !entry[0].startsWith('BATCHKEEPER_') &&
        !entry[0].startsWith('ANTHROPIC_') &&
        !['DATABASE_URL', 'PORT', 'HOST', 'LOG_LEVEL', 'LOG_FORMAT'].includes(entry[0]),
    ),
  );
}

/** `batchkeeper serve` as a child process, its environment cleared of our variables but for `env`. */
export function startServe(env: Record<string, string>, args: string[] = []): ServeProcess {
  const child = spawn(process.execPath, [BIN, 'serve', ...args], {
    env: { ...inheritedEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  const text: string[] = [];
  const waiters: {
    match: (line: Record<string, unknown>) => boolean;
    resolve: (line: Record<string, unknown>) => void;
  }[] = [];
  createInterface({ input: child.stdout! }).on('line', (raw) => {
    text.push(raw);
    // With LOG_FORMAT=pretty the lines are for people: kept as text only.
    if (!raw.startsWith('{')) return;
    const line = JSON.parse(raw) as Record<string, unknown>;
    lines.push(line);
    for (const waiter of waiters.filter((w) => w.match(line))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(line);
    }
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  // 'close', not 'exit': a loaded machine may still hold the child's last lines in the pipes
  // when it has exited; they are all read by the time its streams close.
  const exited = new Promise<number | null>((resolve) =>
    child.once('close', (code) => resolve(code)),
  );
  const waitForLine = (match: (line: Record<string, unknown>) => boolean) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const seen = lines.find(match);
      if (seen) return resolve(seen);
      waiters.push({ match, resolve });
      void exited.then((code) =>
        reject(new Error(`serve exited (${code}) first; stderr:\n${stderr}`)),
      );
    });
  return {
    child,
    lines,
    text,
    stderr: () => stderr,
    exited,
    waitForLine,
    listening: async () => {
      const line = await waitForLine((l) => String(l.msg).startsWith('listening on'));
      return String(line.url).replace('//0.0.0.0:', '//127.0.0.1:');
    },
  };
}
