import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/anthropic/simulator/index.js';
import { exportJobLines } from '../../src/audit/export-job.js';
import { BatchJobManager } from '../../src/index.js';
import { createDatabase, type DatabaseHandle } from '../../src/store/create-database.js';
import { runCli } from '../cli/run-cli.js';
import {
  createTestDatabaseUrl,
  dropTestDatabase,
  openTestDatabase,
  testPostgresUrl,
} from '../support/database.js';
import { FAST, request, waitForStatus } from '../support/manager.js';

describe('audit export and verify on the command line', () => {
  let dir: string;
  let url: string | undefined;
  let database: DatabaseHandle;
  let simulator: RunningSimulator;
  let jobId: string;
  let exportPath: string;
  let exported: string[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'batchkeeper-audit-'));
    // On Postgres the CLI opens the same database by its URL; on PGlite only the file is shared.
    url = testPostgresUrl() ? await createTestDatabaseUrl() : undefined;
    database = url ? await createDatabase({ databaseUrl: url }) : await openTestDatabase();
    simulator = await startSimulator({ latencyMs: 20 });
    const manager = new BatchJobManager({
      ...FAST,
      instanceId: 'audit-cli',
      database,
      anthropic: { apiKey: 'test-key', baseURL: simulator.url },
    });
    ({ id: jobId } = await manager.createJob({
      requests: [request('x'), request('y'), request('z')],
    }));
    await waitForStatus(manager, jobId, ['completed']);
    await manager.close();
    exported = [];
    for await (const line of exportJobLines(database.db, jobId, 'test')) exported.push(line);
    exportPath = join(dir, 'job.events.ndjson');
    await writeFile(exportPath, `${exported.join('\n')}\n`);
  }, 60_000);
  afterAll(async () => {
    await simulator?.stop();
    await database?.close();
    if (url) await dropTestDatabase(url);
    await rm(dir, { recursive: true, force: true });
  });

  it('verifies an export with no database at all, printing the state after each event', async () => {
    const run = await runCli(['audit', 'verify', '--file', exportPath, '--steps'], {});
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const events = exported.length - 1 - 3; // the header and the three results
    expect(run.stdout).toContain(
      `${jobId} v1 JobCreated → pending (by library, tenant default on audit-cli)`,
    );
    expect(run.stdout).toMatch(/JobCompleted → completed \(by the driver on audit-cli\)/);
    expect(run.stdout.trim().split('\n').at(-1)).toBe(`1 streams, ${events} events verified`);
  });

  it('finds a result changed in the export, at the event that accounts for it', async () => {
    const tampered = exported.map((line) =>
      line.includes('"kind":"result"') && line.includes('"ordinal":2')
        ? line.replace('"resultType":"succeeded"', '"resultType":"errored"')
        : line,
    );
    expect(tampered).not.toEqual(exported);
    const path = join(dir, 'tampered.ndjson');
    await writeFile(path, tampered.join('\n'));
    const run = await runCli(['audit', 'verify', '--file', path, '--json'], {});
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout);
    const collected = exported.findIndex((l) => l.includes('"type":"BatchResultsCollected"'));
    expect(report.verified).toBe(false);
    expect(report.broken[0]).toMatchObject({
      streamId: jobId,
      version: collected,
      reason: 'results-digest',
    });
  });

  it('finds an export cut short: the events no longer reach the head its header names', async () => {
    const lastEvent = exported.findLastIndex((l) => l.includes('"kind":"event"'));
    const path = join(dir, 'short.ndjson');
    await writeFile(path, exported.filter((_, i) => i !== lastEvent).join('\n'));
    const run = await runCli(['audit', 'verify', '--file', path], {});
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      `version ${lastEvent}: the stream no longer reaches the pinned head`,
    );
  });

  it('refuses a file that is not an export, naming the line (exit 2)', async () => {
    const path = join(dir, 'not-an-export.ndjson');
    await writeFile(path, '{"hello":1}\n');
    const run = await runCli(['audit', 'verify', '--file', path], {});
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'line 1 of the export: the first line is not an audit export header',
    );
  });

  it.skipIf(!testPostgresUrl())(
    'verifies the database and exports the same file the library writes',
    async () => {
      const verify = await runCli(['audit', 'verify'], { DATABASE_URL: url! });
      expect(verify.stderr).toBe('');
      expect(verify.stdout.trim()).toBe(`1 streams, ${exported.length - 4} events verified`);
      const exportRun = await runCli(['audit', 'export', jobId], { DATABASE_URL: url! });
      expect(exportRun.code).toBe(0);
      const lines = exportRun.stdout.trim().split('\n');
      expect(lines.slice(1)).toEqual(exported.slice(1));
      expect(JSON.parse(lines[0]!)).toMatchObject({ kind: 'batchkeeper.audit-export', jobId });
      expect(await readFile(exportPath, 'utf8')).toContain(lines[1]!);
    },
  );
});
