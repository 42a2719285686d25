import { randomBytes } from 'node:crypto';
import { readFileSync, readlinkSync, unlinkSync } from 'node:fs';
import {
  mkdir,
  readFile,
  realpath,
  rename,
  stat,
  unlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, join } from 'node:path';

/** The file in a data folder that names the process holding it open. */
export const OWNER_FILE = 'batchkeeper.lock';
/** A short-lived mutex (proper-lockfile's directory) held while an owner is chosen. */
const MUTEX_DIR = 'batchkeeper.lock.acquiring';
/** How often a holder touches its lock file, for owners whose pid cannot be checked. */
const HEARTBEAT_MS = 10_000;
/** An owner on another host (or pid namespace) whose lock file is older than this is gone. */
const ELSEWHERE_STALE_MS = 60_000;

/** Who holds a data folder, as its lock file says. */
export interface DataDirOwner {
  pid: number;
  hostname: string;
  /** What the process runs, e.g. `batchkeeper serve`. */
  command: string;
  /** When it took the folder (ISO 8601). */
  since: string;
  /** The kernel's boot id (Linux): a lock from before a reboot is stale. */
  bootId?: string | undefined;
  /** The process's start time in clock ticks since boot (Linux): tells a reused pid apart. */
  startTicks?: string | undefined;
  /** The pid namespace (Linux), e.g. `pid:[4026531836]`: another container's pids mean nothing here. */
  pidNamespace?: string | undefined;
  /** Random: tells this holder apart from a later one of the same pid. */
  token: string;
}

/**
 * Another process (or this one) has the embedded database folder open. Opening it twice loses
 * data: PGlite is one process's database, and each process would overwrite the other's files.
 */
export class DataDirLockedError extends Error {
  readonly code = 'EDATADIRLOCKED';
  constructor(
    /** The folder, as it was given (e.g. `./.data`). */
    readonly dataDir: string,
    /** Who holds it. */
    readonly owner: DataDirOwner,
    /** The owner runs on another host (or in another container): its pid cannot be checked. */
    readonly elsewhere = false,
  ) {
    super(lockedMessage(dataDir, owner, elsewhere));
    this.name = 'DataDirLockedError';
  }
}

/** A held data folder. */
export interface DataDirLock {
  readonly owner: DataDirOwner;
  /** Gives the folder up (only if the lock file still names this holder); idempotent. */
  release(): Promise<void>;
}

/** Folders held by this process: real path -> lock file and owner record. */
const held = new Map<string, { ownerPath: string; owner: DataDirOwner }>();
let exitHookInstalled = false;

/**
 * Takes `dataDir` for this process, or throws `DataDirLockedError` naming the process that has
 * it. A lock left by a process that is gone (killed, crashed, a reboot) is taken over at once:
 * liveness is the pid (and, on Linux, its start time and the boot id), never the file's age, so
 * a live owner whose event loop is blocked for a while keeps its folder. The choice is made
 * under a mutex (proper-lockfile, a directory made atomically), so two processes taking over the
 * same stale lock at once cannot both win. An owner whose pid cannot be checked (another host,
 * another container) is taken for alive while it keeps touching its lock file. The lock is
 * dropped by `release()` and, failing that, when the process exits; after a SIGKILL the next
 * process finds the pid gone.
 */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  await mkdir(dataDir, { recursive: true });
  const dir = await realpath(dataDir);
  const ownerPath = join(dir, OWNER_FILE);
  const releaseMutex = await acquireMutex(dir, dataDir);
  let owner: DataDirOwner;
  try {
    // Under the mutex, so that two opens in this process cannot both pass.
    const mine = held.get(dir);
    if (mine) throw new DataDirLockedError(dataDir, mine.owner);
    const current = await readOwner(ownerPath);
    if (current) {
      const state = await liveness(current, ownerPath);
      if (state !== 'gone') throw new DataDirLockedError(dataDir, current, state === 'elsewhere');
    }
    owner = describeThisProcess();
    // Written whole then renamed: a reader sees the old owner or the new one, never half a file.
    const temporary = `${ownerPath}.${process.pid}.${randomBytes(4).toString('hex')}`;
    await writeFile(temporary, `${JSON.stringify(owner, null, 2)}\n`);
    await rename(temporary, ownerPath);
    held.set(dir, { ownerPath, owner });
  } finally {
    await releaseMutex();
  }

  installExitHook();
  const heartbeat = setInterval(() => {
    const now = new Date();
    utimes(ownerPath, now, now).catch(() => {});
  }, HEARTBEAT_MS);
  heartbeat.unref();
  let released = false;
  return {
    owner,
    async release() {
      if (released) return;
      released = true;
      clearInterval(heartbeat);
      held.delete(dir);
      const current = await readOwner(ownerPath);
      if (current?.token === owner.token) await unlink(ownerPath).catch(() => {});
    },
  };
}

async function acquireMutex(dir: string, dataDir: string): Promise<() => Promise<void>> {
  const { lock } = await import('proper-lockfile');
  try {
    return await lock(dir, {
      lockfilePath: join(dir, MUTEX_DIR),
      realpath: false,
      // Held for a few file operations; one left by a process killed right then lapses after this.
      stale: 10_000,
      // About 18 s in all: longer than a lapse, so a mutex left by a killed process is outwaited.
      retries: { retries: 40, minTimeout: 20, maxTimeout: 500 },
      onCompromised: () => {},
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
    throw new Error(`another process is opening the embedded database in ${dataDir}; try again`);
  }
}

/** The process named in `dataDir`'s lock file, if the file is there and readable. */
export async function readDataDirOwner(dataDir: string): Promise<DataDirOwner | undefined> {
  return readOwner(join(dataDir, OWNER_FILE));
}

async function readOwner(ownerPath: string): Promise<DataDirOwner | undefined> {
  let text: string;
  try {
    text = await readFile(ownerPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return parseOwner(text);
}

function parseOwner(text: string): DataDirOwner | undefined {
  try {
    const value = JSON.parse(text) as Partial<DataDirOwner>;
    if (typeof value.pid !== 'number' || typeof value.token !== 'string') return undefined;
    return {
      pid: value.pid,
      hostname: String(value.hostname ?? ''),
      command: String(value.command ?? 'a process'),
      since: String(value.since ?? ''),
      bootId: value.bootId,
      startTicks: value.startTicks,
      pidNamespace: value.pidNamespace,
      token: value.token,
    };
  } catch {
    // Not written by us (we write whole files only): nobody can be holding the folder with it.
    return undefined;
  }
}

/**
 * `alive` when the owner's process still runs here, `gone` when it does not (or its pid now
 * belongs to another process), `elsewhere` when its pid cannot be checked from here (another
 * host or pid namespace) and it touched its lock file lately.
 */
async function liveness(
  owner: DataDirOwner,
  ownerPath: string,
): Promise<'alive' | 'gone' | 'elsewhere'> {
  const namespace = pidNamespace();
  if (
    owner.hostname !== hostname() ||
    (owner.pidNamespace && namespace && owner.pidNamespace !== namespace)
  ) {
    const touched = (await stat(ownerPath)).mtimeMs;
    return Date.now() - touched > ELSEWHERE_STALE_MS ? 'gone' : 'elsewhere';
  }
  const bootId = currentBootId();
  if (owner.bootId && bootId && owner.bootId !== bootId) return 'gone';
  // Our own pid, but not a folder we hold: a previous process of ours (a container's pid 1).
  if (owner.pid === process.pid) return 'gone';
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    // EPERM: the process exists, under another user.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return 'gone';
  }
  const ticks = startTicksOf(owner.pid);
  if (owner.startTicks && ticks && owner.startTicks !== ticks) return 'gone';
  return 'alive';
}

function describeThisProcess(): DataDirOwner {
  return {
    pid: process.pid,
    hostname: hostname(),
    command: commandLine(),
    since: new Date().toISOString(),
    bootId: currentBootId(),
    startTicks: startTicksOf(process.pid),
    pidNamespace: pidNamespace(),
    token: randomBytes(12).toString('hex'),
  };
}

/** `batchkeeper serve`, `batchkeeper keys`, or the script's name: never arguments, which may be secret. */
function commandLine(): string {
  const script = process.argv[1] ? basename(process.argv[1]) : 'node';
  const subcommand = process.argv[2];
  return script === 'batchkeeper' && subcommand && !subcommand.startsWith('-')
    ? `${script} ${subcommand}`
    : script;
}

function currentBootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

function pidNamespace(): string | undefined {
  try {
    return readlinkSync('/proc/self/ns/pid');
  } catch {
    return undefined;
  }
}

/** Field 22 of /proc/PID/stat (after the parenthesised name, which may hold spaces). */
function startTicksOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A process that exits without closing its database (process.exit, an uncaught error) gives
  // its folders up here; only SIGKILL and crashes leave a lock, which the next process takes over.
  process.on('exit', () => {
    for (const { ownerPath, owner } of held.values()) {
      try {
        if (parseOwner(readFileSync(ownerPath, 'utf8'))?.token === owner.token) {
          unlinkSync(ownerPath);
        }
      } catch {
        // Already gone.
      }
    }
  });
}

function lockedMessage(dataDir: string, owner: DataDirOwner, elsewhere: boolean): string {
  const who = `${owner.command} (pid ${owner.pid}${elsewhere ? ` on host ${owner.hostname}` : ''}${
    owner.since ? `, since ${owner.since}` : ''
  })`;
  if (owner.pid === process.pid && !elsewhere) {
    return `the embedded database in ${dataDir} is already open in this process; close it first, or share the open one`;
  }
  const advice = elsewhere
    ? `stop it first (a lock it stops renewing is taken over after ${ELSEWHERE_STALE_MS / 1000} s), or `
    : 'stop it first, or ';
  return (
    `the embedded database in ${dataDir} is open by ${who}; only one process may open it: ` +
    `${advice}run both against a Postgres with DATABASE_URL`
  );
}
