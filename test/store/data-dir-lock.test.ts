import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DataDirLockedError,
  type DataDirOwner,
  lockDataDir,
  OWNER_FILE,
  readDataDirOwner,
} from '../../src/store/data-dir-lock.js';

const RUN_TS = new URL('../../bin/run-ts', import.meta.url).pathname;
const HOLDER = new URL('./fixtures/hold-data-dir.ts', import.meta.url).pathname;
const CHILD_TIMEOUT_MS = 60_000;

interface Holder {
  child: ChildProcess;
  /** The first line it printed: `{locked: true, pid}` or `{refused, name}`. */
  answer: Promise<{ locked?: boolean; pid?: number; refused?: string; name?: string }>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Another process that tries to take `dir` (test/store/fixtures/hold-data-dir.ts). */
function holder(dir: string): Holder {
  const child = spawn(process.execPath, [RUN_TS, HOLDER, dir], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const answer = new Promise<Record<string, unknown>>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (line) => resolve(JSON.parse(line)));
    child.once('exit', (code) => reject(new Error(`holder exited (${code}) without answering`)));
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, answer, exited };
}

/** The pid of a process that has ended. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

function startTicksOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** A lock file as another batchkeeper process would have left it. */
async function writeOwner(dir: string, owner: Partial<DataDirOwner> & { pid: number }) {
  const record: DataDirOwner = {
    hostname: hostname(),
    command: 'batchkeeper serve',
    since: new Date().toISOString(),
    token: 'someone-else',
    ...owner,
  };
  await writeFile(join(dir, OWNER_FILE), JSON.stringify(record));
}

describe('the data folder lock', () => {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
  const freshDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'batchkeeper-lock-'));
    dirs.push(dir);
    return dir;
  };

  it('names this process in the folder while held and removes the file on release', async () => {
    const dir = await freshDir();
    const lock = await lockDataDir(dir);
    expect(await readDataDirOwner(dir)).toMatchObject({
      pid: process.pid,
      token: lock.owner.token,
    });
    await lock.release();
    expect(existsSync(join(dir, OWNER_FILE))).toBe(false);
  });

  it('refuses a second open in the same process, even when both start at once', async () => {
    const dir = await freshDir();
    const results = await Promise.allSettled([lockDataDir(dir), lockDataDir(dir)]);
    const taken = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r) => r.status === 'rejected');
    expect(taken).toHaveLength(1);
    expect(refused).toHaveLength(1);
    const error = (refused[0] as PromiseRejectedResult).reason;
    expect(error).toBeInstanceOf(DataDirLockedError);
    expect(error.message).toContain('already open in this process');
    await (taken[0] as PromiseFulfilledResult<{ release(): Promise<void> }>).value.release();
  });

  it(
    'refuses while another live process holds it, naming its pid, and opens once it let go',
    async () => {
      const dir = await freshDir();
      const first = holder(dir);
      const { pid } = await first.answer;
      expect(pid).toBe(first.child.pid);

      const error = await lockDataDir(dir).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DataDirLockedError);
      expect((error as DataDirLockedError).owner.pid).toBe(pid);
      expect((error as Error).message).toMatch(
        new RegExp(
          `open by hold-data-dir.ts \\(pid ${pid}, since .*stop it first, or run both against a Postgres with DATABASE_URL`,
        ),
      );

      first.child.stdin!.end();
      expect((await first.exited).code).toBe(0);
      const lock = await lockDataDir(dir);
      await lock.release();
    },
    CHILD_TIMEOUT_MS,
  );

  it(
    'takes over at once the lock of a process killed with SIGKILL',
    async () => {
      const dir = await freshDir();
      const first = holder(dir);
      const { pid } = await first.answer;
      first.child.kill('SIGKILL');
      expect((await first.exited).signal).toBe('SIGKILL');
      expect((await readDataDirOwner(dir))?.pid).toBe(pid);

      const lock = await lockDataDir(dir);
      expect((await readDataDirOwner(dir))?.pid).toBe(process.pid);
      await lock.release();
    },
    CHILD_TIMEOUT_MS,
  );

  it(
    'lets exactly one of several processes take over the same stale lock at once',
    async () => {
      const dir = await freshDir();
      await writeOwner(dir, { pid: await deadPid() });
      const racers = Array.from({ length: 4 }, () => holder(dir));
      const answers = await Promise.all(racers.map((r) => r.answer));
      expect(answers.filter((a) => a.locked)).toHaveLength(1);
      const refused = answers.filter((a) => a.refused);
      expect(refused).toHaveLength(3);
      expect(refused.every((a) => a.name === 'DataDirLockedError')).toBe(true);
      const winner = answers.find((a) => a.locked)!;
      expect((await readDataDirOwner(dir))?.pid).toBe(winner.pid);
      for (const racer of racers) racer.child.stdin!.end();
      await Promise.all(racers.map((r) => r.exited));
    },
    CHILD_TIMEOUT_MS,
  );

  it('takes over a lock whose pid is alive but another process now (a pid reused)', async () => {
    const dir = await freshDir();
    // Our parent is alive, but it started before it was written down as the owner here.
    const ticks = startTicksOf(process.ppid);
    if (ticks === undefined) return; // no /proc: pid reuse cannot be told apart here
    await writeOwner(dir, { pid: process.ppid, startTicks: String(Number(ticks) + 1) });
    const lock = await lockDataDir(dir);
    await lock.release();
  });

  it('takes over a lock written before the machine last booted', async () => {
    const dir = await freshDir();
    if (!existsSync('/proc/sys/kernel/random/boot_id')) return;
    await writeOwner(dir, { pid: process.ppid, bootId: '00000000-0000-0000-0000-000000000000' });
    const lock = await lockDataDir(dir);
    await lock.release();
  });

  it('refuses a live process of this machine whatever the age of its lock file', async () => {
    const dir = await freshDir();
    await writeOwner(dir, { pid: process.ppid, startTicks: startTicksOf(process.ppid) });
    const hourAgo = new Date(Date.now() - 3_600_000);
    await utimes(join(dir, OWNER_FILE), hourAgo, hourAgo);
    await expect(lockDataDir(dir)).rejects.toBeInstanceOf(DataDirLockedError);
  });

  it('refuses an owner on another host while its lock is renewed, and takes it once it stops', async () => {
    const dir = await freshDir();
    await writeOwner(dir, { pid: 4242, hostname: 'elsewhere.example' });
    const error = await lockDataDir(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataDirLockedError);
    expect((error as DataDirLockedError).elsewhere).toBe(true);
    expect((error as Error).message).toContain('pid 4242 on host elsewhere.example');

    const longAgo = new Date(Date.now() - 120_000);
    await utimes(join(dir, OWNER_FILE), longAgo, longAgo);
    const lock = await lockDataDir(dir);
    await lock.release();
  });

  it('takes over a lock file it cannot read as an owner', async () => {
    const dir = await freshDir();
    await writeFile(join(dir, OWNER_FILE), 'not json');
    const lock = await lockDataDir(dir);
    expect(JSON.parse(await readFile(join(dir, OWNER_FILE), 'utf8')).pid).toBe(process.pid);
    await lock.release();
  });
});
