import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { freePort } from './private-postgres.js';

const BINARY = '/usr/sbin/pgbouncer';

/** Whether Debian's pgbouncer is installed (CI installs it; elsewhere the tests skip). */
export function hasPgBouncer(): boolean {
  return existsSync(BINARY);
}

/** A PgBouncer in transaction mode in front of `server`, as managed Postgres offers it. */
export interface PgBouncer {
  /** `databaseUrl` with the pooler's host and port. */
  through(databaseUrl: string): string;
  stop(): Promise<void>;
}

/**
 * Starts PgBouncer (as the postgres user: it refuses to run as root) with
 * pool_mode = transaction, pooling every database of the server at `upstream`.
 */
export async function startPgBouncer(upstream: { host: string; port: number }): Promise<PgBouncer> {
  const dir = mkdtempSync(join(tmpdir(), 'pgbouncer-'));
  chmodSync(dir, 0o777);
  const port = await freePort();
  const ini = join(dir, 'pgbouncer.ini');
  writeFileSync(join(dir, 'users.txt'), '"postgres" ""\n');
  writeFileSync(
    ini,
    [
      '[databases]',
      `* = host=${upstream.host} port=${upstream.port}`,
      '[pgbouncer]',
      `listen_addr = 127.0.0.1`,
      `listen_port = ${port}`,
      `unix_socket_dir = ${dir}`,
      'auth_type = trust',
      `auth_file = ${join(dir, 'users.txt')}`,
      'pool_mode = transaction',
      'default_pool_size = 10',
      'max_client_conn = 500',
      `logfile = ${join(dir, 'pgbouncer.log')}`,
      `pidfile = ${join(dir, 'pgbouncer.pid')}`,
      '',
    ].join('\n'),
  );
  const asPostgres = process.getuid?.() === 0 ? postgresIds() : {};
  const child: ChildProcess = spawn(BINARY, [ini], { stdio: 'ignore', ...asPostgres });
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  for (let attempt = 0; ; attempt++) {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.query('select 1');
      await client.end();
      break;
    } catch (error) {
      await client.end().catch(() => {});
      if (attempt > 100 || child.exitCode !== null) throw error;
      await sleep(50);
    }
  }
  return {
    through: (databaseUrl) => {
      const pooled = new URL(databaseUrl);
      pooled.host = `127.0.0.1:${port}`;
      return pooled.toString();
    },
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function postgresIds(): { uid: number; gid: number } {
  return {
    uid: Number(execFileSync('id', ['-u', 'postgres']).toString()),
    gid: Number(execFileSync('id', ['-g', 'postgres']).toString()),
  };
}
