import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportJobLines } from '../../src/audit/export-job.js';
import { packageVersion } from '../../src/cli/package-version.js';
import { hashApiKey } from '../../src/store/api-keys.js';
import { runCli } from '../cli/run-cli.js';
import { API_KEYS, JobsApiHarness, request } from '../http/jobs-harness.js';

describe('a job’s export over HTTP: GET /v1/jobs/{id}/events?format=ndjson', () => {
  let api: JobsApiHarness;
  let dir: string;
  let jobId: string;
  let fromTheLibrary: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'batchkeeper-export-'));
    api = await JobsApiHarness.open();
    jobId = (await api.createJob({ requests: [request('a'), request('b')] })).id;
    await api.waitForStatus(jobId, ['completed']);
    const lines: string[] = [];
    for await (const line of exportJobLines(api.bed.database.db, jobId, packageVersion())) {
      lines.push(`${line}\n`);
    }
    fromTheLibrary = lines.join('');
  }, 60_000);
  afterAll(async () => {
    await api.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers the same file as `audit export`, as application/x-ndjson', async () => {
    const response = await api.call('GET', `/v1/jobs/${jobId}/events?format=ndjson`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-ndjson');
    const body = await response.text();
    expect(body).toBe(fromTheLibrary);
    expect(JSON.parse(body.split('\n')[0]!)).toMatchObject({
      kind: 'batchkeeper.audit-export',
      batchkeeperVersion: packageVersion(),
      jobId,
      head: { version: expect.any(Number), hash: expect.stringMatching(/^[0-9a-f]{64}$/) },
    });
  });

  it('is written by `batchkeeper events ID --export` and verifies with no database', async () => {
    const url = await api.listen();
    const exported = await runCli(['events', jobId, '--export'], {
      BATCHKEEPER_URL: url,
      BATCHKEEPER_API_KEY: API_KEYS[0].key,
    });
    expect(exported.stderr).toBe('');
    expect(exported.code).toBe(0);
    expect(exported.stdout).toBe(fromTheLibrary);
    const path = join(dir, 'job.events.ndjson');
    await writeFile(path, exported.stdout);
    // runCli clears DATABASE_URL and every BATCHKEEPER_ variable: only the file is read.
    const verified = await runCli(['audit', 'verify', '--file', path, '--steps'], {});
    expect(verified.stderr).toBe('');
    expect(verified.code).toBe(0);
    const events = fromTheLibrary.split('\n').filter((l) => l.includes('"kind":"event"')).length;
    expect(verified.stdout.trim().split('\n').at(-1)).toBe(`1 streams, ${events} events verified`);
    // Who did what, from the file alone: the API call that created the job, the driver after.
    const keyId = `sha256:${hashApiKey(API_KEYS[0].key).slice(0, 16)}`;
    expect(verified.stdout).toMatch(
      new RegExp(
        `^${jobId} v1 JobCreated → pending \\(by api, tenant acme, key ${keyId}, request \\S+ on `,
        'm',
      ),
    );
    expect(verified.stdout).toMatch(/JobStarted → \w+ \(by the driver on /);
  });

  it('is a 404 for another tenant’s job, as for a job that does not exist', async () => {
    for (const path of [
      `/v1/jobs/${jobId}/events?format=ndjson`,
      '/v1/jobs/job_nope/events?format=ndjson',
    ]) {
      const response = await api.call('GET', path, { tenant: 'globex' });
      expect(response.status).toBe(404);
      expect(((await response.json()) as { error: { type: string } }).error.type).toBe(
        'not_found_error',
      );
    }
  });

  it('refuses a format it does not know with a 400 naming the field', async () => {
    const response = await api.call('GET', `/v1/jobs/${jobId}/events?format=csv`);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain(
      'format',
    );
  });
});
