import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/anthropic/simulator/index.js';
import { createTestDatabaseUrl, dropTestDatabase, testPostgresUrl } from '../support/database.js';
import { request } from '../support/manager.js';
import { runCli } from './run-cli.js';
import { CHILD_TIMEOUT_MS, inheritedEnv, type ServeProcess, startServe } from './serve-process.js';

const BIN = new URL('../../bin/batchkeeper', import.meta.url).pathname;
/** A batch at this simulator ends only when the test moves its clock on by this much. */
const LATENCY_MS = 3_600_000;

/**
 * What the CLI says of jobs that have not ended and of jobs that completed with failed requests.
 * One serve for the file, on a simulator whose batches end when the test says (its clock is moved
 * on), half of whose results are errored; with no retries those failures are final.
 */
describe('the command line on unfinished jobs and failed requests', () => {
  let dir: string;
  let sim: RunningSimulator;
  let server: ServeProcess;
  let databaseEnv: Record<string, string>;
  let env: Record<string, string>;
  let files = 0;

  /** A request file of `count` requests no other job of the file shares (no deduplication). */
  async function requestFile(count: number): Promise<string> {
    files += 1;
    const file = join(dir, `job-${files}.jsonl`);
    const lines = Array.from({ length: count }, (_, i) =>
      JSON.stringify(request(`${files}-${i}`, `question ${i} of file ${files}`)),
    );
    await writeFile(file, lines.join('\n'));
    return file;
  }

  /** Resolves once the simulator has been sent `count` batches in all. */
  async function batchesCreated(count: number): Promise<void> {
    while (sim.stats().batchesCreated < count) await sleep(20);
  }

  /** Resolves once the job has ended (as the server says). */
  async function ended(id: string): Promise<void> {
    for (;;) {
      const job = (await (await fetch(`${env.BATCHKEEPER_URL}/v1/jobs/${id}`)).json()) as {
        status: string;
      };
      if (['completed', 'failed', 'cancelled', 'expired'].includes(job.status)) return;
      await sleep(50);
    }
  }

  /** Submits with `--wait`, and ends the job's batch once it is at the simulator. */
  async function submitAndWait(file: string, args: string[] = []) {
    const before = sim.stats().batchesCreated;
    const run = runCli(['submit', file, '--wait', ...args], env);
    await batchesCreated(before + 1);
    sim.clock.advance(LATENCY_MS);
    return run;
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'batchkeeper-outcomes-'));
    sim = await startSimulator({
      latencyMs: LATENCY_MS,
      seed: 7,
      faults: { erroredResultRates: { api_error: 0.5 } },
    });
    databaseEnv = testPostgresUrl()
      ? { DATABASE_URL: await createTestDatabaseUrl() }
      : { BATCHKEEPER_DATA_DIR: join(dir, 'data') };
    server = startServe({
      ...databaseEnv,
      PORT: '0',
      HOST: '127.0.0.1',
      ANTHROPIC_BASE_URL: sim.url,
      ANTHROPIC_API_KEY: 'sk-ant-test',
      BATCHKEEPER_RETRY_ATTEMPTS: '0',
      BATCHKEEPER_POLL_INTERVAL_MS: '100',
      BATCHKEEPER_POLL_MAX_MS: '200',
    });
    env = { BATCHKEEPER_URL: await server.listening() };
  }, CHILD_TIMEOUT_MS);
  afterAll(async () => {
    if (server?.child.exitCode === null) server.child.kill('SIGKILL');
    await sim?.stop();
    if (databaseEnv?.DATABASE_URL) await dropTestDatabase(databaseEnv.DATABASE_URL);
    await rm(dir, { recursive: true, force: true });
  });

  let unfinished: string;

  it(
    'names the priority of a submitted job, not its number',
    async () => {
      const run = await runCli(['submit', await requestFile(6), '--priority', 'high'], env);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^submitted (job_\w+): 6 requests, priority high, queued\n$/);
      unfinished = /submitted (job_\w+)/.exec(run.stdout)![1]!;
      await batchesCreated(1);
    },
    CHILD_TIMEOUT_MS,
  );

  it(
    'refuses the results of a job that has not ended, saying its status and what to do (exit 4)',
    async () => {
      const run = await runCli(['results', unfinished], env);
      expect(run.code).toBe(4);
      expect(run.stdout).toBe('');
      expect(run.stderr).toBe(
        `error: job ${unfinished} has not finished (status processing); use --partial for what ` +
          `has been collected so far, or wait for it with \`batchkeeper watch ${unfinished}\` ` +
          '(`submit --wait` waits from the start)\n',
      );
    },
    CHILD_TIMEOUT_MS,
  );

  it(
    'gives what has been collected so far with --partial, and says it is partial',
    async () => {
      const run = await runCli(['results', unfinished, '--partial'], env);
      expect(run.code).toBe(0);
      expect(run.stdout).toBe('');
      expect(run.stderr).toBe('0 results so far (the job is processing: partial)\n');
    },
    CHILD_TIMEOUT_MS,
  );

  it(
    'shows priorities by name and times relative to now in list and status; --json keeps the wire values',
    async () => {
      const [table, json, status] = await Promise.all([
        runCli(['list'], env),
        runCli(['list', '--json'], env),
        runCli(['status', unfinished], env),
      ]);
      const row = table.stdout.split('\n').find((line) => line.startsWith(unfinished))!;
      expect(table.stdout).toMatch(/^ID\s+STATUS\s+PRIORITY\s+DONE\s+REQUESTS\s+CREATED\s+TAGS/);
      expect(row).toMatch(/\s+processing\s+high\s+0%\s+6\s+(just now|\d+ seconds ago)$/);
      const listed = (JSON.parse(json.stdout) as { jobs: Record<string, unknown>[] }).jobs[0]!;
      expect(listed).toMatchObject({ id: unfinished, priority: 2 });
      expect(listed.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(status.stdout).toContain(`${unfinished}  processing (waiting)  priority high`);
      expect(status.stdout).toMatch(/created {3}(just now|\d+ seconds ago) \(\d{4}-\d\d-\d\dT/);
    },
    CHILD_TIMEOUT_MS,
  );

  it(
    'says what a cancel will do from what the server answers: the open batch at Anthropic, the results kept',
    async () => {
      const submitted = await runCli(['submit', await requestFile(3)], env);
      const id = /submitted (job_\w+)/.exec(submitted.stdout)![1]!;
      await batchesCreated(2);
      const run = await runCli(['cancel', id], env);
      expect(run.code).toBe(0);
      expect(run.stdout).toBe(
        `cancelling ${id}: its 1 open batch at Anthropic will be cancelled (what Anthropic ` +
          `finished before is still collected); no result had been collected yet. Follow it ` +
          `with: batchkeeper watch ${id}\n`,
      );
    },
    CHILD_TIMEOUT_MS,
  );

  it(
    'exits 5 from submit --wait when the job completed with failed requests, and says how many',
    async () => {
      const run = await submitAndWait(await requestFile(6));
      expect(run.code).toBe(5);
      const [, id, failed] =
        /^(job_\w+) completed in [\d.]+ s with (\d) of 6 requests failed: /.exec(run.stdout)!;
      expect(Number(failed)).toBeGreaterThan(0);
      expect(run.stdout).toContain(`${6 - Number(failed)} completed, ${failed} failed (100%)`);
      expect(run.stderr).toContain(`see them with batchkeeper results ${id} --type errored`);
      expect(run.stderr).toContain('exit 5 (--allow-failures accepts them: exit 0)');
    },
    CHILD_TIMEOUT_MS,
  );

  it(
    'exits 0 from submit --wait --allow-failures for such a job, still saying how many failed',
    async () => {
      const run = await submitAndWait(await requestFile(6), ['--allow-failures']);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^job_\w+ completed in [\d.]+ s with \d of 6 requests failed: /);
    },
    CHILD_TIMEOUT_MS,
  );

  it(
    'exits 5 from watch for a job that completed with failed requests (0 with --allow-failures); status says so too',
    async () => {
      // Its batch ended with the others above.
      await ended(unfinished);
      const [strict, allowing, json, status] = await Promise.all([
        runCli(['watch', unfinished], env),
        runCli(['watch', unfinished, '--allow-failures'], env),
        runCli(['watch', unfinished, '--json'], env),
        runCli(['status', unfinished], env),
      ]);
      expect(strict.code).toBe(5);
      expect(strict.stdout).toMatch(
        new RegExp(`^${unfinished} completed .*with \\d of 6 requests failed`),
      );
      expect(allowing.code).toBe(0);
      expect(json.code).toBe(5);
      expect(JSON.parse(json.stdout)).toMatchObject({ id: unfinished, status: 'completed' });
      expect(status.stdout).toMatch(
        new RegExp(`^${unfinished} {2}completed with \\d of 6 requests failed {2}priority high\n`),
      );
    },
    CHILD_TIMEOUT_MS,
  );

  it(
    'ends quietly with exit 0 when the reader of its output goes away (results | head)',
    async () => {
      const run = await submitAndWait(await requestFile(600), ['--allow-failures', '--json']);
      const { id } = JSON.parse(run.stdout) as { id: string };
      // Like `| head -c 1`: the first chunk is read, then the pipe is closed under the writer.
      const child = spawn(process.execPath, [BIN, 'results', id], {
        env: { ...inheritedEnv(), ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString('utf8');
      });
      child.stdout.once('data', () => child.stdout.destroy());
      const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    },
    CHILD_TIMEOUT_MS,
  );
});
