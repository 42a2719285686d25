import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView } from '../../src/machines/job-views.js';
import { API_KEYS, JobsApiHarness, request } from '../http/jobs-harness.js';
import { runCli } from './run-cli.js';

// Each run is a new process that compiles TypeScript on load.
const CLI_TIMEOUT_MS = 60_000;

/** Less than any request's worst case: nothing fits, so the job pauses for its cap at once. */
const TOO_SMALL_USD = '0.000001';

/** About 2,000 tokens of system prompt marked for caching, shared by every request of the file. */
const SHARED = 'A long shared document that every question of the file reads. '.repeat(130);
function cachedRequest(n: number) {
  return {
    custom_id: `primed-${n}`,
    params: {
      model: 'claude-sonnet-5-5',
      max_tokens: 16,
      system: [{ type: 'text', text: SHARED, cache_control: { type: 'ephemeral', ttl: '1h' } }],
      messages: [{ role: 'user', content: `question ${n}` }],
    },
  };
}

describe('budgets and cache priming on the command line', () => {
  let api: JobsApiHarness;
  let env: Record<string, string>;
  let dir: string;

  /** A JSONL file of the requests, new ones each time (`tag`), so nothing is deduplicated. */
  async function file(tag: string, requests: readonly unknown[] = [request(`${tag}-a`)]) {
    const path = join(dir, `${tag}.jsonl`);
    await writeFile(path, requests.map((r) => JSON.stringify(r)).join('\n'));
    return path;
  }

  async function job(id: string): Promise<JobView> {
    const response = await api.call('GET', `/v1/jobs/${id}`);
    expect(response.status).toBe(200);
    return (await response.json()) as JobView;
  }

  async function submitted(args: string[]): Promise<string> {
    const run = await runCli(['submit', ...args, '--json'], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    return (JSON.parse(run.stdout) as { id: string }).id;
  }

  beforeAll(async () => {
    api = await JobsApiHarness.open({ simulator: { latencyMs: 30 } });
    env = { BATCHKEEPER_URL: await api.listen(), BATCHKEEPER_API_KEY: API_KEYS[0].key };
    dir = await mkdtemp(join(tmpdir(), 'batchkeeper-budget-cli-'));
  });
  afterAll(async () => {
    await api.close();
    await rm(dir, { recursive: true, force: true });
  });

  it(
    'submit --max-cost-usd, --over-budget and --cache-priming reach the job',
    async () => {
      const run = await runCli(
        [
          'submit',
          await file('options'),
          '--max-cost-usd',
          '5',
          '--over-budget',
          'error',
          '--cache-priming',
          'auto',
        ],
        env,
      );
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(
        /^submitted (job_\w+): 1 requests, priority normal, \w+, budget \$5\.00$/m,
      );
      const id = /submitted (job_\w+)/.exec(run.stdout)![1]!;
      const view = await job(id);
      expect(view.budget).toMatchObject({ maxCostUsd: 5, overBudget: 'error' });
      expect(view.cachePriming).toMatchObject({ mode: 'auto' });
    },
    CLI_TIMEOUT_MS,
  );

  it(
    'refuses a bad --max-cost-usd, --over-budget or --cache-priming with exit 2, creating nothing',
    async () => {
      const path = await file('refused');
      const before = await api.written();
      const runs = await Promise.all(
        [
          ['--max-cost-usd', 'x'],
          ['--max-cost-usd', '0'],
          ['--max-cost-usd', '-1'],
          ['--over-budget', 'wait'],
          ['--cache-priming', 'on'],
          ['--estimate', '--max-cost-usd', '1e999'],
        ].map((options) => runCli(['submit', path, ...options], env)),
      );
      expect(runs.map((r) => [r.code, r.stderr.trim()])).toEqual([
        [2, 'error: --max-cost-usd: must be a positive number (got "x")'],
        [2, 'error: --max-cost-usd: must be a positive number (got "0")'],
        [2, 'error: --max-cost-usd: must be a positive number (got "-1")'],
        [2, 'error: --over-budget: must be pause or error (got "wait")'],
        [2, 'error: --cache-priming: must be auto or off (got "on")'],
        [2, 'error: --max-cost-usd: must be a positive number (got "1e999")'],
      ]);
      expect(await api.written()).toEqual(before);
    },
    CLI_TIMEOUT_MS,
  );

  it(
    "submit --estimate takes the same options (the estimate body is create's, unknown keys refused)",
    async () => {
      const run = await runCli(
        [
          'submit',
          await file('estimate'),
          '--estimate',
          '--json',
          '--max-cost-usd',
          '1',
          '--over-budget',
          'error',
          '--cache-priming',
          'auto',
        ],
        env,
      );
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ requests: 1, sampled: false });
    },
    CLI_TIMEOUT_MS,
  );

  it(
    'budget ID USD raises the cap of a job paused for it, which resumes and completes; then an ended job is refused (exit 4)',
    async () => {
      const id = await submitted([await file('raise'), '--max-cost-usd', TOO_SMALL_USD]);
      await api.waitForStatus(id, ['paused']);
      expect((await job(id)).budget).toMatchObject({
        maxCostUsd: Number(TOO_SMALL_USD),
        pausedFor: 'budget',
      });
      const status = await runCli(['status', id], env);
      expect(status.stdout).toMatch(
        /^ {2}budget {4}cap \$0\.000001; over budget: pause; paused: its cap \(raise it: batchkeeper budget ID USD\)$/m,
      );

      const raised = await runCli(['budget', id, '5'], env);
      expect(raised.stderr).toBe('');
      expect(raised.code).toBe(0);
      expect(raised.stdout).toBe(`${id}: budget $5.00 (was paused, now processing)\n`);
      await api.waitForStatus(id, ['completed']);
      expect((await job(id)).budget).toMatchObject({ maxCostUsd: 5, pausedFor: null });

      const ended = await runCli(['budget', id, 'none'], env);
      expect(ended.code).toBe(4);
      expect(ended.stderr).toMatch(/^error: .*completed/);
    },
    CLI_TIMEOUT_MS,
  );

  it(
    'budget ID none removes the cap (--json: the API answer)',
    async () => {
      const id = await submitted([await file('remove'), '--max-cost-usd', TOO_SMALL_USD]);
      await api.waitForStatus(id, ['paused']);
      const removed = await runCli(['budget', id, 'none', '--json'], env);
      expect(removed.code).toBe(0);
      expect(JSON.parse(removed.stdout)).toEqual({
        id,
        maxCostUsd: null,
        previousStatus: 'paused',
        status: 'processing',
      });
      await api.waitForStatus(id, ['completed']);
      expect((await job(id)).budget.maxCostUsd).toBeNull();
    },
    CLI_TIMEOUT_MS,
  );

  it(
    'budget refuses a bad amount before asking (exit 2) and an unknown job (exit 3)',
    async () => {
      const [bad, missing] = await Promise.all([
        runCli(['budget', 'job_nope', 'lots'], env),
        runCli(['budget', 'job_nope', '5'], env),
      ]);
      expect([bad.code, bad.stderr.trim()]).toEqual([
        2,
        'error: USD: must be a positive number or "none" (got "lots")',
      ]);
      expect(missing.code).toBe(3);
    },
    CLI_TIMEOUT_MS,
  );

  it(
    'status shows what cache priming did',
    async () => {
      const requests = Array.from({ length: 4 }, (_, i) => cachedRequest(i));
      const id = await submitted([await file('primed', requests), '--cache-priming', 'auto']);
      await api.waitForStatus(id, ['completed']);
      const status = await runCli(['status', id], env);
      expect(status.code).toBe(0);
      expect(status.stdout).toMatch(
        /^ {2}priming {3}auto · 1 group primed · 1 prime batch · 0 held back \(one more batch turnaround\)$/m,
      );
    },
    CLI_TIMEOUT_MS,
  );
});
