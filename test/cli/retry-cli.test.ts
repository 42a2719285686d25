import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEYS, JobsApiHarness, request } from '../http/jobs-harness.js';
import { runCli } from './run-cli.js';

// Each run is a new process that compiles TypeScript on load.
const CLI_TIMEOUT_MS = 60_000;

describe('batchkeeper retry and results --merged', () => {
  let api: JobsApiHarness;
  let env: Record<string, string>;
  let original: string;
  beforeAll(async () => {
    api = await JobsApiHarness.open({ simulator: { latencyMs: 30 } });
    env = { BATCHKEEPER_URL: await api.listen(), BATCHKEEPER_API_KEY: API_KEYS[0].key };
    const refused = request('cli-bad');
    ({ id: original } = await api.createJob({
      onInvalid: 'drop',
      requests: [request('cli-ok'), { ...refused, params: { ...refused.params, temperature: 1 } }],
    }));
    await api.waitForStatus(original, ['completed']);
  });
  afterAll(() => api.close());

  it(
    'sends the errored request again with an override, and reads both jobs as one',
    async () => {
      const retry = await runCli(
        ['retry', original, '--types', 'errored', '--override', '{"temperature":null}', '--json'],
        env,
      );
      expect(retry.stderr).toBe('');
      expect(retry.code).toBe(0);
      const retried = JSON.parse(retry.stdout) as { id: string; retryOf: string };
      expect(retried.retryOf).toBe(original);
      await api.waitForStatus(retried.id, ['completed']);

      const merged = await runCli(['results', original, '--merged'], env);
      expect(merged.code).toBe(0);
      const lines = merged.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      expect(lines.map((l) => [l.custom_id, l.result.type, l._producedBy])).toEqual([
        ['req-cli-ok', 'succeeded', original],
        ['req-cli-bad', 'succeeded', retried.id],
      ]);
    },
    CLI_TIMEOUT_MS,
  );

  it(
    'exits 2 for an --override that is not JSON, and 3 for a job that does not exist',
    async () => {
      const [badJson, missing] = await Promise.all([
        runCli(['retry', original, '--override', '{max_tokens'], env),
        runCli(['retry', 'job_nope'], env),
      ]);
      expect(badJson.code).toBe(2);
      expect(badJson.stderr).toMatch(/--override is not JSON/);
      expect(missing.code).toBe(3);
    },
    CLI_TIMEOUT_MS,
  );
});
