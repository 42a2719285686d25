import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEYS, JobsApiHarness } from '../http/jobs-harness.js';
import { mixedJob } from '../support/cached-requests.js';
import { type CliRun, runCli } from './run-cli.js';

// Each run is a new process that compiles TypeScript on load.
const CLI_TIMEOUT_MS = 60_000;

describe('cost on the command line', () => {
  let api: JobsApiHarness;
  let dir: string;
  const runs: Record<string, CliRun> = {};
  let jobsBefore = 0;
  let jobsAfterEstimate = 0;

  beforeAll(async () => {
    api = await JobsApiHarness.open();
    dir = await mkdtemp(join(tmpdir(), 'batchkeeper-cost-cli-'));
    const env = { BATCHKEEPER_URL: await api.listen(), BATCHKEEPER_API_KEY: API_KEYS[0].key };
    const file = join(dir, 'job.jsonl');
    await writeFile(
      file,
      mixedJob('cli')
        .requests.map((r) => JSON.stringify(r))
        .join('\n'),
    );
    jobsBefore = (await api.written()).jobs;
    runs.estimate = await runCli(['submit', file, '--estimate'], env);
    runs.estimateJson = await runCli(['submit', file, '--estimate', '--json'], env);
    jobsAfterEstimate = (await api.written()).jobs;
    const { id } = await api.createJob(mixedJob('cli'));
    await api.waitForStatus(id, ['completed']);
    runs.status = await runCli(['status', id], env);
  }, 4 * CLI_TIMEOUT_MS);
  afterAll(async () => {
    await api.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('submit --estimate prints the price range and creates nothing', () => {
    expect(runs.estimate!.code).toBe(0);
    expect(runs.estimate!.stdout).toMatch(/^requests {3}6 to send, 6 counted$/m);
    expect(runs.estimate!.stdout).toMatch(/^output {5}at most 384 tokens/m);
    expect(runs.estimate!.stdout).toMatch(
      /^cost {7}\$\d+\.\d{4} to \$\d+\.\d{4} at batch prices$/m,
    );
    expect(jobsAfterEstimate).toBe(jobsBefore);
  });

  it('submit --estimate --json prints the estimate as the API answers it', () => {
    const estimate = JSON.parse(runs.estimateJson!.stdout) as Record<string, unknown>;
    expect(estimate).toMatchObject({ requests: 6, sampled: false, maxOutputTokens: 384 });
  });

  it('status shows cache tokens and the cost split with the saving', () => {
    expect(runs.status!.code).toBe(0);
    expect(runs.status!.stdout).toMatch(
      /cache write \(5 m\) \+ \d+ cache write \(1 h\) \+ \d+ cache read tokens/,
    );
    expect(runs.status!.stdout).toMatch(
      /^ {2}cost {6}input \$\d+\.\d{4} \+ output .* = \$\d+\.\d{4} \(batch price; \$\d+\.\d{4} outside batches, saved \$\d+\.\d{4}\)$/m,
    );
  });
});
