import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { type CopyOut, copyOutOn } from './copy-out.js';
import { lockDataDir } from './data-dir-lock.js';
import { type ListenHandlers, type Listening, listenOnPGlite, listenOnPostgres } from './listen.js';
import { createPGliteCluster, PGLITE_START_PARAMS } from './pglite-cluster.js';
import { PGliteDialect } from './pglite-dialect.js';
import { preparingPool } from './prepared-statements.js';
import type { Db } from './schema/index.js';

const INT8_OID = 20;
const NUMERIC_OID = 1700;

/** Which Postgres a handle talks to. */
export type Backend = 'postgres' | 'pglite';

export interface DatabaseHandle {
  readonly db: Db;
  readonly backend: Backend;
  /** The connection string, for a real Postgres only. */
  readonly url: string | undefined;
  close(): Promise<void>;
  /**
   * LISTENs on `channels` on a connection of its own (`listenUrl` when the pool goes
   * through a pooler), reconnecting when it drops.
   */
  listen(channels: readonly string[], handlers: ListenHandlers): Promise<Listening>;
  /** The whole embedded cluster as a tarball (PGlite only): a starting point for another. */
  dump?(): Promise<Blob>;
  /** `COPY … TO STDOUT`, its bytes undecoded (a real Postgres only). */
  copyOut?: CopyOut;
}

export interface DatabaseOptions {
  /** A Postgres URL; when absent an embedded PGlite is used. */
  databaseUrl?: string | undefined;
  /** Where the embedded PGlite keeps its files (default: ./.data); `memory` keeps nothing. */
  dataDir?: string | undefined;
  /** Pool size for a real Postgres (default: 10). */
  poolSize?: number | undefined;
  /** A direct (unpooled) Postgres URL for LISTEN (default: databaseUrl). */
  listenUrl?: string | undefined;
  /**
   * Send hot statements as named prepared statements (default: true). Off behind a pooler in
   * transaction mode that does not track them (PgBouncer before 1.21, or max_prepared_statements 0):
   * a name prepared on one server connection does not exist on the next.
   */
  preparedStatements?: boolean | undefined;
  /** An in-memory PGlite starts from this dump (`dumpPGlite`) instead of an empty cluster. */
  pgliteDump?: Blob | undefined;
}

/**
 * Opens a real Postgres when `databaseUrl` is given, else an embedded PGlite. A PGlite folder is
 * one process's: while this handle is open, any other process (or a second handle here) that
 * opens the same `dataDir` gets a `DataDirLockedError` naming this process.
 */
export async function createDatabase(options: DatabaseOptions = {}): Promise<DatabaseHandle> {
  if (options.databaseUrl) {
    return openPostgres(options.databaseUrl, {
      poolSize: options.poolSize ?? 10,
      listenUrl: options.listenUrl,
      preparedStatements: options.preparedStatements ?? true,
    });
  }
  return openPGlite(options.dataDir ?? './.data', options.pgliteDump);
}

function openPostgres(
  url: string,
  settings: { poolSize: number; listenUrl: string | undefined; preparedStatements: boolean },
): DatabaseHandle {
  const { poolSize, listenUrl } = settings;
  // Bigints as numbers: positions and counts stay far below 2^53.
  const types = {
    getTypeParser(oid: number, format?: 'text' | 'binary') {
      if (oid === INT8_OID || oid === NUMERIC_OID) return (value: string) => Number(value);
      return pg.types.getTypeParser(oid, format);
    },
  };
  const pool = new pg.Pool({ connectionString: url, max: poolSize, types });
  // A client losing its connection (a Postgres restart, a failover) must not kill the process:
  // idle, the pool reports it here; checked out (inside a transaction, or between queries),
  // the client itself emits 'error', which with no listener is an uncaught exception. The
  // query in flight fails anyway, and the pool drops a client that is no longer queryable.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely({
    dialect: new PostgresDialect({
      pool: settings.preparedStatements ? preparingPool(pool) : pool,
    }),
  }) as Db;
  return {
    db,
    backend: 'postgres',
    url,
    close: () => db.destroy(),
    listen: (channels, handlers) => listenOnPostgres(listenUrl ?? url, channels, handlers),
    copyOut: copyOutOn(pool),
  };
}

async function openPGlite(dataDir: string, dump: Blob | undefined): Promise<DatabaseHandle> {
  const options = {
    parsers: { [INT8_OID]: Number, [NUMERIC_OID]: Number },
    startParams: [...PGLITE_START_PARAMS],
  };
  if (dataDir === 'memory') {
    const pglite = await PGlite.create({ ...options, ...(dump && { loadDataDir: dump }) });
    return pgliteHandle(pglite, async () => {});
  }
  const lock = await lockDataDir(dataDir);
  try {
    const path = resolve(dataDir, 'pglite');
    await createPGliteCluster(path);
    const pglite = await PGlite.create({ ...options, dataDir: path });
    return pgliteHandle(pglite, () => lock.release());
  } catch (error) {
    await lock.release();
    throw error;
  }
}

function pgliteHandle(pglite: PGlite, afterClose: () => Promise<void>): DatabaseHandle {
  const db = new Kysely({ dialect: new PGliteDialect(pglite) }) as Db;
  let closing: Promise<void> | undefined;
  return {
    db,
    backend: 'pglite',
    url: undefined,
    // The folder is given up only once PGlite has closed its files.
    close: () => {
      closing ??= db.destroy().finally(afterClose);
      return closing;
    },
    listen: (channels, handlers) => listenOnPGlite(pglite, channels, handlers),
    dump: () => pglite.dumpDataDir('none'),
  };
}

/** True when the database answers a trivial query. */
export async function isReachable(db: Db): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}
