import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rename, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';

/**
 * How the embedded Postgres is started: PGlite's defaults plus a smaller buffer cache. Postgres
 * sizes `shared_buffers` for a server (128MB); inside PGlite that cache is WASM heap written at
 * start-up, so all of it is resident from the first second (an idle `serve` held ~440 MB, ~320 MB
 * with 32MB). 32MB holds a single instance's working set (the hot tables and indexes are a few
 * MB; results stream through) and the OS page cache serves the files below it: at 16MB a
 * scan-heavy load took ~5% more CPU, at 32MB none more than at 128MB.
 */
export const PGLITE_START_PARAMS: readonly string[] = [
  ...PGlite.defaultStartParams,
  '-c',
  'shared_buffers=32MB',
];

/**
 * Runs in a child process: creates a PGlite cluster (initdb) in `argv[2]` and exits. PGlite
 * runs initdb in a second WASM instance whose memory (~450 MB resident) the parent would keep
 * until a full garbage collection that an idle server never triggers.
 */
const CREATE_CLUSTER = `
const [entry, path, params] = process.argv.slice(1);
const { PGlite } = await import(entry);
const pglite = await PGlite.create({ dataDir: path, startParams: JSON.parse(params) });
await pglite.close();
`;

/**
 * Makes sure `path` holds a PGlite cluster, creating one if there is none. The cluster is made in
 * a folder beside it and renamed into place once whole, so a first start that is interrupted
 * leaves nothing half-made. The caller holds the data folder's lock.
 */
export async function createPGliteCluster(path: string): Promise<void> {
  if (existsSync(join(path, 'PG_VERSION'))) return;
  const creating = `${path}.creating`;
  // Left by a first start that was interrupted; nobody else is making it (we hold the folder).
  await rm(creating, { recursive: true, force: true });
  const entry = import.meta.resolve('@electric-sql/pglite');
  await new Promise<void>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        CREATE_CLUSTER,
        entry,
        creating,
        JSON.stringify(PGLITE_START_PARAMS),
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4000);
    });
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (code === 0) resolve();
      else {
        reject(
          new Error(
            `could not create the embedded database in ${path} (${signal ?? `exit ${code}`}): ${stderr.trim()}`,
          ),
        );
      }
    });
  });
  // An empty folder where the cluster goes (an earlier version made it first) is replaced.
  await rmdir(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return;
    if (error.code === 'ENOTEMPTY' || error.code === 'EEXIST') {
      throw new Error(`${path} holds files but no Postgres cluster (no PG_VERSION): move it away`);
    }
    throw error;
  });
  await rename(creating, path);
}
