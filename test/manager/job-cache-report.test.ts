import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricsRegistry as register } from '../../src/observability/metrics.js';
import { mixedJob } from '../support/cached-requests.js';
import { TestBed, waitForStatus } from '../support/manager.js';

// Sonnet 5.5's standard prices per million tokens (src/domain/anthropic-api/prices.json):
// 5-minute cache write 2.5, 1-hour write 4 (twice input), cache read 0.1; a batch pays half.
const WRITE = { '5m': 2.5, '1h': 4 } as const;
const READ = 0.1;
const BATCH = 0.5;
// waitForStatus reads jobs as the manager's default tenant.
const TENANT = 'default';

let bed: TestBed;
beforeAll(async () => {
  bed = await TestBed.open();
});
afterAll(async () => {
  await bed.closeManagers();
  await bed.close();
});

interface ResultUsage {
  cache_read_input_tokens: number;
  cache_creation: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
}

/** Runs a job to its end; its view, and what its results' usage adds up to. */
async function run(manager: ReturnType<TestBed['manager']>, body: ReturnType<typeof mixedJob>) {
  const tenant = manager.forTenant(TENANT);
  const { id } = await tenant.createJob(body);
  await waitForStatus(manager, id, ['completed', 'failed']);
  const job = (await tenant.getJob(id))!;
  const ttlOf = new Map(
    body.requests.map((r) => {
      const control = r.params.system[0]!.cache_control as { ttl?: string } | undefined;
      return [r.custom_id, control?.ttl === '1h' ? '1h' : '5m'] as const;
    }),
  );
  const sum = { read: 0, write5m: 0, write1h: 0, savedUsd: 0 };
  for await (const line of tenant.iterateResults(id)) {
    const usage = (line.result as unknown as { message: { usage: ResultUsage } }).message.usage;
    const read = usage.cache_read_input_tokens;
    sum.read += read;
    sum.write5m += usage.cache_creation.ephemeral_5m_input_tokens;
    sum.write1h += usage.cache_creation.ephemeral_1h_input_tokens;
    sum.savedUsd += (read * (WRITE[ttlOf.get(line.custom_id)!] - READ) * BATCH) / 1e6;
  }
  return { job, sum };
}

/** The value of one sample in the /metrics text, found by its name and labels. */
async function sample(name: string, labels: string): Promise<number> {
  const text = await register.metrics();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}} `));
  return line === undefined ? 0 : Number(line.split(' ')[1]);
}

async function cacheSamples() {
  const tenant = `tenant="${TENANT}"`;
  return {
    read: await sample('batchkeeper_cache_read_tokens_total', tenant),
    write5m: await sample('batchkeeper_cache_write_tokens_total', `${tenant},ttl="5m"`),
    write1h: await sample('batchkeeper_cache_write_tokens_total', `${tenant},ttl="1h"`),
    savedUsd: await sample('batchkeeper_cache_saved_usd_total', tenant),
  };
}

describe('a job’s prompt-cache report', () => {
  it('sums the results’ cache tokens, and prices what the reads saved at each request’s TTL', async () => {
    const manager = bed.manager();
    const before = await cacheSamples();
    // A cold job writes its cached prefixes; the same prefixes sent once it has ended are read.
    const cold = await run(manager, mixedJob('report-cold'));
    const warm = await run(manager, mixedJob('report-warm'));
    expect(warm.sum.read).toBeGreaterThan(0);

    for (const { job, sum } of [cold, warm]) {
      const used = sum.read + sum.write5m + sum.write1h;
      expect(job.cache).toEqual({
        readTokens: sum.read,
        writeTokens: { fiveMinutes: sum.write5m, oneHour: sum.write1h },
        hitRate: Math.round((sum.read / used) * 10_000) / 10_000,
        savedUsd: expect.closeTo(sum.savedUsd, 6),
      });
    }
    expect(cold.job.cache.savedUsd).toBe(0);
    expect(warm.job.cache.savedUsd).toBeGreaterThan(0);

    const stats = await manager.forTenant(TENANT).getJobStats();
    expect(stats.cache.readTokens).toBe(cold.sum.read + warm.sum.read);
    expect(stats.cache.savedUsd).toBeCloseTo(warm.sum.savedUsd, 6);

    const after = await cacheSamples();
    expect(after.read - before.read).toBe(cold.sum.read + warm.sum.read);
    expect(after.write5m - before.write5m).toBe(cold.sum.write5m + warm.sum.write5m);
    expect(after.write1h - before.write1h).toBe(cold.sum.write1h + warm.sum.write1h);
    expect(after.savedUsd - before.savedUsd).toBeCloseTo(warm.sum.savedUsd, 6);
  });

  it('has no hit rate and saved nothing for a job that asked for no caching', async () => {
    const manager = bed.manager();
    const plain = { requests: mixedJob('report-plain').requests.slice(5) };
    const { job } = await run(manager, plain);
    expect(job.cache).toEqual({
      readTokens: 0,
      writeTokens: { fiveMinutes: 0, oneHour: 0 },
      hitRate: null,
      savedUsd: 0,
    });
  });
});
