import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEYS, JobsApiHarness, request } from '../http/jobs-harness.js';
import { type CliRun, runCli } from './run-cli.js';

describe('batchkeeper chart in its formats', () => {
  let api: JobsApiHarness;
  let jobId: string;
  const runs: Record<string, CliRun> = {};

  beforeAll(async () => {
    api = await JobsApiHarness.open();
    const env = { BATCHKEEPER_URL: await api.listen(), BATCHKEEPER_API_KEY: API_KEYS[0].key };
    jobId = (await api.createJob({ requests: [request('cli-chart')] })).id;
    await api.waitForStatus(jobId, ['completed']);
    const commands: Record<string, string[]> = {
      svg: ['chart', jobId, '--svg'],
      formatJson: ['chart', jobId, '--format', 'json'],
      asOf: ['chart', jobId, '--format', 'svg', '--as-of', '2'],
      badFormat: ['chart', jobId, '--format', 'png'],
      pastEnd: ['chart', jobId, '--as-of', '999'],
    };
    await Promise.all(
      Object.entries(commands).map(async ([name, args]) => {
        runs[name] = await runCli(args, env);
      }),
    );
  }, 120_000);
  afterAll(() => api.close());

  it('prints the chart drawn as SVG with --svg, the current state highlighted', () => {
    expect(runs.svg!.code).toBe(0);
    expect(runs.svg!.stdout.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(runs.svg!.stdout.trimEnd().endsWith('</svg>')).toBe(true);
    expect(runs.svg!.stdout).toContain(
      'class="state atomic visited current" data-state="completed"',
    );
  });

  it('prints the machine as an XState config with --format json', () => {
    expect(runs.formatJson!.code).toBe(0);
    const config = JSON.parse(runs.formatJson!.stdout);
    expect(config).toMatchObject({ id: 'job', initial: 'new' });
    expect(config.states.processing.states.waiting.on.BatchEnded).toEqual({
      target: '#job.processing.collecting',
    });
  });

  it('draws the job as it was after an earlier event with --as-of', () => {
    expect(runs.asOf!.code).toBe(0);
    expect(runs.asOf!.stdout).toContain('class="state atomic visited current" data-state="queued"');
  });

  it('refuses an unknown format and a version past the log as bad usage', () => {
    expect(runs.badFormat!.code).toBe(2);
    expect(runs.pastEnd!.code).toBe(2);
    expect(runs.pastEnd!.stderr).toContain('asOf');
  });
});
