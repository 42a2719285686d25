import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEYS, JobsApiHarness, request } from '../http/jobs-harness.js';
import { type CliRun, runCli } from './run-cli.js';

// Each run is a new process that compiles TypeScript on load.
const CLI_TIMEOUT_MS = 60_000;

/** The URL of a loopback port nothing listens on (it was free a moment ago). */
async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

function jsonl(items: unknown[]): string {
  return items.map((item) => JSON.stringify(item)).join('\n');
}

describe('the job commands against a running server', () => {
  let api: JobsApiHarness;
  let dir: string;
  let env: Record<string, string>;
  let jobId: string;
  let submitted: CliRun;
  const runs: Record<string, CliRun> = {};

  beforeAll(async () => {
    api = await JobsApiHarness.open();
    dir = await mkdtemp(join(tmpdir(), 'batchkeeper-cli-'));
    env = { BATCHKEEPER_URL: await api.listen(), BATCHKEEPER_API_KEY: API_KEYS[0].key };
    const requests = [request('cli-1'), request('cli-2'), request('cli-3')];
    await writeFile(join(dir, 'job.jsonl'), jsonl(requests));
    submitted = await runCli(
      ['submit', join(dir, 'job.jsonl'), '--priority', 'high', '--tag', 'cli', '--wait'],
      env,
    );
    jobId = /submitted (job_\w+)/.exec(submitted.stderr)?.[1] ?? '';
    // The read-only commands do not depend on each other: run them side by side.
    const commands: Record<string, string[]> = {
      status: ['status', jobId, '--json'],
      statusText: ['status', jobId],
      results: ['results', jobId, '-o', join(dir, 'out.jsonl')],
      list: ['list', '--tag', 'cli', '--json'],
      events: ['events', jobId],
      chart: ['chart', jobId],
      watch: ['watch', jobId, '--json'],
      missing: ['status', 'job_missing'],
      refused: ['pause', jobId],
    };
    await Promise.all(
      Object.entries(commands).map(async ([name, args]) => {
        runs[name] = await runCli(args, env);
      }),
    );
  }, 4 * CLI_TIMEOUT_MS);
  afterAll(async () => {
    await api.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('submit --wait exits 0 once the job completed, ending with a summary line', () => {
    expect(submitted.code).toBe(0);
    expect(jobId).not.toBe('');
    expect(submitted.stdout.trim()).toMatch(
      new RegExp(`^${jobId} completed in [\\d.]+ s: 3 completed \\(100%\\)$`),
    );
  });

  it('submit streams the file as one job with the options given', async () => {
    const job = await api.manager.forTenant('acme').getJob(jobId);
    expect(job).toMatchObject({ totalRequests: 3, priority: 2, tags: ['cli'] });
  });

  it('status --json prints the job as JSON', () => {
    expect(runs.status!.code).toBe(0);
    expect(JSON.parse(runs.status!.stdout)).toMatchObject({ id: jobId, status: 'completed' });
  });

  it('status prints the job readably', () => {
    expect(runs.statusText!.stdout).toContain(`${jobId}  completed  priority high`);
    expect(runs.statusText!.stdout).toMatch(/progress\s+100%: 3 completed/);
  });

  it('results -o writes one result a line to the file', async () => {
    expect(runs.results!.code).toBe(0);
    const lines = (await readFile(join(dir, 'out.jsonl'), 'utf8')).trim().split('\n');
    expect(lines.map((line) => JSON.parse(line).custom_id)).toEqual([
      'req-cli-1',
      'req-cli-2',
      'req-cli-3',
    ]);
    expect(runs.results!.stderr).toContain('wrote 3 results');
  });

  it('list --tag --json prints the page with the job', () => {
    const page = JSON.parse(runs.list!.stdout) as { jobs: { id: string }[]; total: number };
    expect(page.jobs.map((job) => job.id)).toEqual([jobId]);
  });

  it('events prints the audit log in order, one event a line', () => {
    const lines = runs.events!.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^TIME\s+VERSION\s+EVENT\s+SUMMARY$/);
    expect(lines[1]).toMatch(
      /\sv1\s+JobCreated\s+3 requests \(0 deduplicated\), priority high, tags cli$/,
    );
    expect(lines.at(-1)).toMatch(/\sJobCompleted\s+3 completed, 0 failed$/);
  });

  it('chart prints the state the job is in and the transitions it took', () => {
    expect(runs.chart!.stdout).toContain(`${jobId} is in completed`);
    expect(runs.chart!.stdout).toMatch(/v2\s+JobQueued\s+pending -> queued/);
  });

  it('watch exits 0 with the job as JSON for a job that has completed', () => {
    expect(runs.watch!.code).toBe(0);
    expect(JSON.parse(runs.watch!.stdout)).toMatchObject({ id: jobId, status: 'completed' });
  });

  it('exits 3 for a job that does not exist', () => {
    expect(runs.missing!.code).toBe(3);
    expect(runs.missing!.stderr).toContain('job job_missing not found');
  });

  it('exits 4 when the job’s state refuses the command', () => {
    expect(runs.refused!.code).toBe(4);
    expect(runs.refused!.stderr).toContain('cannot pause a job that is completed');
  });

  it(
    'submit exits 2 naming the line of a file with a bad request, creating nothing',
    async () => {
      const before = await api.written();
      await writeFile(join(dir, 'bad.jsonl'), jsonl([request('fine'), { custom_id: 'x' }]));
      const run = await runCli(['submit', join(dir, 'bad.jsonl')], env);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('invalid request on line 2');
      expect(await api.written()).toEqual(before);
    },
    CLI_TIMEOUT_MS,
  );

  it(
    'exits 1 saying so when no server answers',
    async () => {
      const url = await closedPortUrl();
      const run = await runCli(['stats'], { BATCHKEEPER_URL: url });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`cannot reach ${url}: ECONNREFUSED`);
    },
    CLI_TIMEOUT_MS,
  );
});
