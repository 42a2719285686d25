import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { metricsRegistry as register } from '../../src/observability/metrics.js';
import { cachedRequest, mixedJob } from '../support/cached-requests.js';
import { request, TestBed, waitForStatus } from '../support/manager.js';

// Sonnet 5.5's standard prices per million tokens (src/domain/anthropic-api/prices.json):
// input 2, output 10, 5-minute cache write 2.5, 1-hour write 4 (twice input), cache read 0.1.
// A batch pays half of each.
const PRICE = { input: 2, output: 10, write5m: 2.5, write1h: 4, read: 0.1 };
const BATCH = 0.5;

let bed: TestBed;
beforeAll(async () => {
  bed = await TestBed.open();
});
afterEach(async () => {
  await bed.closeManagers();
});
afterAll(async () => {
  await bed.close();
});

const MIXED_JOB = mixedJob('split');

async function metric(name: string, labels: Record<string, string>): Promise<number> {
  const found = (await register.getMetricsAsJSON()).find((m) => m.name === name);
  const value = found?.values.find((v) =>
    Object.entries(labels).every(([k, l]) => v.labels[k] === l),
  );
  return Number(value?.value ?? 0);
}

describe('a job’s cost split as Anthropic bills it', () => {
  it('counts cache writes by TTL and cache reads, prices each at batch prices and adds them up to costUsd', async () => {
    const manager = bed.manager();
    const tenant = manager.forTenant('default');
    const metricBefore = await metric('batchkeeper_cost_usd_total', {
      tenant: 'default',
      kind: 'cache_read',
    });
    // A cold job's requests run concurrently: each writes its cached prefix, none reads another's.
    // The same prefixes sent once that job has ended are read (docs/simulator.md).
    const cold = await runAndPrice(manager, MIXED_JOB);
    const warm = await runAndPrice(manager, mixedJob('split-warm'));
    expect(cold.tokens.write5m).toBeGreaterThan(0);
    expect(cold.tokens.write1h).toBeGreaterThan(0);
    expect(cold.tokens.read).toBe(0);
    expect(warm.tokens.read).toBe(cold.tokens.write5m + cold.tokens.write1h);
    expect(warm.tokens.write5m + warm.tokens.write1h).toBe(0);

    const total = { input: 0, output: 0, write5m: 0, write1h: 0, read: 0 };
    for (const { usage, tokens } of [cold, warm]) {
      for (const kind of Object.keys(total) as (keyof typeof total)[]) total[kind] += tokens[kind];
      const usd = (kind: keyof typeof PRICE) => (tokens[kind] * PRICE[kind] * BATCH) / 1e6;
      expect(usage).toMatchObject({
        inputTokens: tokens.input,
        outputTokens: tokens.output,
        cacheWrite5mTokens: tokens.write5m,
        cacheWrite1hTokens: tokens.write1h,
        cacheReadTokens: tokens.read,
      });
      const cost = usage.cost!;
      expect(cost.inputUsd).toBeCloseTo(usd('input'), 6);
      expect(cost.outputUsd).toBeCloseTo(usd('output'), 6);
      expect(cost.cacheWrite5mUsd).toBeCloseTo(usd('write5m'), 6);
      expect(cost.cacheWrite1hUsd).toBeCloseTo(usd('write1h'), 6);
      expect(cost.cacheReadUsd).toBeCloseTo(usd('read'), 6);
      const parts =
        cost.inputUsd +
        cost.outputUsd +
        cost.cacheWrite5mUsd +
        cost.cacheWrite1hUsd +
        cost.cacheReadUsd;
      expect(cost.totalUsd).toBe(usage.costUsd);
      expect(cost.totalUsd).toBeCloseTo(parts, 9);
      expect(cost.standardUsd).toBeCloseTo(cost.totalUsd / BATCH, 5);
      expect(cost.savingUsd).toBeCloseTo(cost.standardUsd - cost.totalUsd, 9);
    }

    const stats = await tenant.getJobStats();
    expect(stats).toMatchObject({
      cacheWrite5mTokens: total.write5m,
      cacheWrite1hTokens: total.write1h,
      cacheReadTokens: total.read,
    });
    expect(stats.cost.totalUsd).toBeCloseTo(cold.usage.costUsd! + warm.usage.costUsd!, 9);
    expect(stats.cost.cacheReadUsd).toBeCloseTo(warm.usage.cost!.cacheReadUsd, 9);

    const metricAfter = await metric('batchkeeper_cost_usd_total', {
      tenant: 'default',
      kind: 'cache_read',
    });
    expect(metricAfter - metricBefore).toBeCloseTo(warm.usage.cost!.cacheReadUsd, 9);
  });
});

/** Runs a job to its end and adds up the tokens its results report, by kind. */
async function runAndPrice(
  manager: ReturnType<TestBed['manager']>,
  body: ReturnType<typeof mixedJob>,
) {
  const tenant = manager.forTenant('default');
  const { id } = await tenant.createJob(body);
  const job = await waitForStatus(manager, id, ['completed', 'failed']).then(() =>
    tenant.getJob(id),
  );
  expect(job!.status).toBe('completed');
  const tokens = { input: 0, output: 0, write5m: 0, write1h: 0, read: 0 };
  for await (const line of tenant.iterateResults(id)) {
    const usage = (line.result as unknown as { message: { usage: unknown } }).message.usage as {
      input_tokens: number;
      output_tokens: number;
      cache_read_input_tokens: number;
      cache_creation: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
    };
    tokens.input += usage.input_tokens;
    tokens.output += usage.output_tokens;
    tokens.write5m += usage.cache_creation.ephemeral_5m_input_tokens;
    tokens.write1h += usage.cache_creation.ephemeral_1h_input_tokens;
    tokens.read += usage.cache_read_input_tokens;
  }
  return { usage: job!.usage, tokens };
}

describe('an estimate before sending (estimateJob)', () => {
  it('brackets what the same job then costs, from tokens counted by count_tokens', async () => {
    const manager = bed.manager();
    const countsBefore = bed.simulator.stats().tokenCounts;
    const jobsBefore = (await manager.listJobs()).total;
    const fresh = mixedJob('bracket');
    const estimate = await manager.estimateJob(fresh);
    expect(bed.simulator.stats().tokenCounts - countsBefore).toBe(fresh.requests.length);
    expect((await manager.listJobs()).total).toBe(jobsBefore);
    expect(estimate).toMatchObject({
      requests: 6,
      countedRequests: 6,
      sampled: false,
      cachingRequests: 5,
      maxOutputTokens: 6 * 64,
      unpricedModels: [],
    });

    // A job sent before, with the same cached prefixes, has ended: this one reads them.
    await waitForStatus(manager, (await manager.createJob(mixedJob('bracket-primer'))).id, [
      'completed',
    ]);
    const { id } = await manager.createJob(fresh);
    const job = await waitForStatus(manager, id, ['completed', 'failed']);
    const usage = job.usage;
    expect(usage.cacheReadTokens).toBeGreaterThan(0);
    expect(estimate.inputTokens).toBe(
      usage.inputTokens +
        usage.cacheWrite5mTokens +
        usage.cacheWrite1hTokens +
        usage.cacheReadTokens,
    );
    expect(estimate.maxOutputTokens).toBeGreaterThanOrEqual(usage.outputTokens);
    expect(estimate.minUsd!).toBeLessThanOrEqual(usage.costUsd!);
    expect(estimate.maxUsd!).toBeGreaterThanOrEqual(usage.costUsd!);
  });

  it('asks Anthropic nothing for requests it has counted before', async () => {
    const manager = bed.manager();
    await manager.estimateJob(MIXED_JOB);
    const countsBefore = bed.simulator.stats().tokenCounts;
    const again = await manager.estimateJob(MIXED_JOB);
    expect(bed.simulator.stats().tokenCounts).toBe(countsBefore);
    expect(again.countedRequests).toBe(6);
  });

  it('leaves duplicates within the job out, as creation does', async () => {
    const manager = bed.manager();
    const twice = {
      requests: [cachedRequest(1, null), { ...cachedRequest(1, null), custom_id: 'again' }],
    };
    expect((await manager.estimateJob(twice)).requests).toBe(1);
    expect((await manager.estimateJob({ ...twice, deduplicate: false })).requests).toBe(2);
  });

  it('refuses a job createJob would refuse, the same way', async () => {
    const manager = bed.manager();
    const bad = { requests: [{ custom_id: 'x', params: { model: 'claude-sonnet-5-5' } }] };
    const refusal = await manager.estimateJob(bad).catch((e: unknown) => e);
    const creation = await manager.createJob(bad).catch((e: unknown) => e);
    expect(refusal).toMatchObject({ status: 400, message: (creation as Error).message });
  });

  it('cannot price a model the table lacks: the bounds are null and the model is named', async () => {
    const custom = await TestBed.open({
      models: [
        {
          id: 'claude-unpriced-1',
          display_name: 'Unpriced',
          created_at: '2026-11-01T00:00:00Z',
          lifecycle: 'active',
          deprecated_at: null,
          retires_at: null,
          max_tokens: 1000,
          max_input_tokens: null,
        },
      ],
    });
    try {
      const item = cachedRequest(1, null);
      const estimate = await custom.manager().estimateJob({
        requests: [{ ...item, params: { ...item.params, model: 'claude-unpriced-1' } }],
      });
      expect(estimate).toMatchObject({
        minUsd: null,
        maxUsd: null,
        unpricedModels: ['claude-unpriced-1'],
      });
      expect(estimate.inputTokens).toBeGreaterThan(0);
    } finally {
      await custom.close();
    }
  });
});

describe('a web search’s per-use fee', () => {
  it('is its own part of the split, one cent a search outside the batch discount, adding up to costUsd', async () => {
    const manager = bed.manager();
    // Given three requests that offer the model a web search (the simulator searches once each)
    const requests = [1, 2, 3].map((n) => {
      const item = request(`search-${n}`);
      const tools = [{ type: 'web_search_20250305', name: 'web_search', max_uses: 2 }];
      return { ...item, params: { ...item.params, tools } };
    });
    // When the job runs under a cap (every request is bounded: max_uses is set)
    const { id } = await manager.createJob({ requests, maxCostUsd: 1 });
    await waitForStatus(manager, id, ['completed']);
    // Then each search is billed at $0.01 as its own part, and the parts add up to the total
    const cost = (await manager.getJob(id))!.usage.cost!;
    expect(cost.webSearchUsd).toBeCloseTo(0.03, 9);
    const parts =
      cost.inputUsd +
      cost.outputUsd +
      cost.cacheWrite5mUsd +
      cost.cacheWrite1hUsd +
      cost.cacheReadUsd +
      cost.webSearchUsd;
    expect(cost.totalUsd).toBeCloseTo(parts, 9);
  });
});
