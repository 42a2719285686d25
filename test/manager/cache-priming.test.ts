import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdvanceableClock } from '../../src/anthropic/simulator/advanceable-clock.js';
import { systemClock } from '../../src/domain/clock.js';
import type { BatchJobManager } from '../../src/index.js';
import { TestBed, waitForStatus, waitUntil } from '../support/manager.js';

const HOUR = 60 * 60_000;

/** About `tokens` tokens of shared context (the simulator counts a token every 4 characters). */
function context(tag: string, tokens: number): string {
  const sentence = `Context ${tag}: a long document every request of the group reads. `;
  return sentence.repeat(Math.ceil((tokens * 4) / sentence.length));
}

/** `n` requests sharing the cached system prompt `shared` (or none when null), told apart by `tag`. */
function requests(tag: string, n: number, shared: string | null, ttl: '5m' | '1h' = '5m') {
  const mark = { cache_control: { type: 'ephemeral', ...(ttl === '1h' ? { ttl } : {}) } };
  return Array.from({ length: n }, (_, i) => ({
    custom_id: `${tag}-${i}`,
    params: {
      model: 'claude-sonnet-5-5',
      max_tokens: 16,
      ...(shared === null ? {} : { system: [{ type: 'text', text: shared, ...mark }] }),
      messages: [{ role: 'user', content: `question ${i} of ${tag}` }],
    },
  }));
}

interface Usage {
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
}

/** Per custom_id: whether its result read the cache, and whether it wrote it. */
async function cacheUse(manager: BatchJobManager, jobId: string) {
  const use = new Map<string, { read: boolean; wrote: boolean }>();
  for await (const line of manager.iterateResults(jobId)) {
    const usage = (line.result as unknown as { message: { usage: Usage } }).message.usage;
    use.set(line.custom_id, {
      read: usage.cache_read_input_tokens > 0,
      wrote: usage.cache_creation_input_tokens > 0,
    });
  }
  return use;
}

type LoggedIntent = {
  batchKey: string;
  requestCount: number;
  purpose?: string;
  cacheGroup?: string;
  heldBack?: number;
};

async function intents(bed: TestBed, jobId: string): Promise<LoggedIntent[]> {
  const rows = await bed.database.db
    .selectFrom('events')
    .select(['data'])
    .where('stream_id', '=', jobId)
    .where('type', '=', 'BatchSubmissionIntended')
    .orderBy('version')
    .execute();
  return rows.map((r) => r.data as LoggedIntent);
}

describe('cache priming against the simulator', () => {
  let bed: TestBed;
  beforeAll(async () => {
    bed = await TestBed.open();
  });
  afterAll(async () => {
    await bed.close();
  });

  it('pays a shared 5k-token prefix about once: primed, 99% of the fan-out reads the cache and the job costs less', async () => {
    const manager = bed.manager();
    const started = performance.now();
    const unprimed = await manager.createJob({
      requests: requests('cold', 1000, context('cold', 5000)),
    });
    const primed = await manager.createJob({
      requests: requests('warm', 1000, context('warm', 5000)),
      cachePriming: 'auto',
    });
    const [cold, warm] = await Promise.all([
      waitForStatus(manager, unprimed.id, ['completed', 'failed']),
      waitForStatus(manager, primed.id, ['completed', 'failed']),
    ]);
    const elapsedMs = performance.now() - started;
    expect([cold.status, warm.status]).toEqual(['completed', 'completed']);

    // Unprimed: one cold batch, whose requests run concurrently: every one writes the prefix.
    const coldUse = await cacheUse(manager, unprimed.id);
    expect([...coldUse.values()].filter((u) => u.read).length).toBe(0);
    expect(cold.cachePriming).toBeUndefined();

    // Primed: one request alone first, then the other 999, which read what it wrote.
    const logged = await intents(bed, primed.id);
    expect(logged[0]).toMatchObject({ requestCount: 1, purpose: 'cache-prime', heldBack: 999 });
    expect(logged.slice(1).every((i) => i.purpose === undefined)).toBe(true);
    const warmUse = await cacheUse(manager, primed.id);
    const fanOut = [...warmUse.entries()].filter(([id]) => id !== 'warm-0');
    expect(warmUse.get('warm-0')).toEqual({ read: false, wrote: true });
    expect(fanOut.filter(([, u]) => u.read).length).toBeGreaterThanOrEqual(0.99 * 999);
    expect(warm.cachePriming).toEqual({
      mode: 'auto',
      extraTurnaround: true,
      groups: 1,
      primed: 1,
      primeBatches: 1,
      heldBack: 0,
    });

    expect(warm.usage.cacheReadTokens).toBeGreaterThan(0.99 * 999 * 5000);
    expect(warm.usage.costUsd!).toBeLessThan(cold.usage.costUsd!);
    expect(warm.usage.cost!.totalUsd).toBeLessThan(cold.usage.cost!.totalUsd / 2);
    console.log(`two 1,000-request jobs, primed and unprimed: ${Math.round(elapsedMs)} ms`);
  }, 120_000);

  it('primes groups with different prefixes separately, and sends the rest as usual', async () => {
    const manager = bed.manager();
    const job = await manager.createJob({
      requests: [
        ...requests('alpha', 20, context('alpha', 2000)),
        ...requests('beta', 20, context('beta', 2000), '1h'),
        ...requests('plain', 5, null),
        ...requests('alone', 1, context('alone', 2000)),
      ],
      cachePriming: 'auto',
    });
    const done = await waitForStatus(manager, job.id, ['completed', 'failed']);
    expect(done.status).toBe('completed');

    const primes = (await intents(bed, job.id)).filter((i) => i.purpose === 'cache-prime');
    expect(primes).toHaveLength(2);
    expect(primes.map((p) => p.requestCount)).toEqual([1, 1]);
    expect(new Set(primes.map((p) => p.cacheGroup)).size).toBe(2);
    expect(primes.map((p) => p.heldBack)).toEqual([19, 19]);

    const use = await cacheUse(manager, job.id);
    for (const group of ['alpha', 'beta']) {
      const reads = [...use.entries()].filter(([id, u]) => id.startsWith(`${group}-`) && u.read);
      expect(reads).toHaveLength(19);
    }
    expect(use.get('alone-0')).toEqual({ read: false, wrote: true });
    expect(done.cachePriming).toMatchObject({ groups: 2, primed: 2, primeBatches: 2 });
  }, 60_000);
});

describe('a prime whose entry would lapse before the fan-out is sent', () => {
  let bed: TestBed;
  beforeAll(async () => {
    // Batches take an hour of simulator time: they end only when the test moves its clock.
    bed = await TestBed.open({ latencyMs: HOUR });
  });
  afterAll(async () => {
    await bed.close();
  });

  it('is redone, and the fan-out reads the new entry', async () => {
    const clock = new AdvanceableClock(systemClock);
    const manager = bed.manager({ clock });
    const job = await manager.createJob({
      requests: requests('lapse', 10, context('lapse', 2000), '1h'),
      cachePriming: 'auto',
    });
    const batches = async () => (await manager.getJob(job.id))!.batches;
    await waitUntil(async () => (await batches())[0]?.status === 'submitted');

    // Held while its prime is on its way; then nothing is sent for two hours (paused).
    await manager.pauseJob(job.id);
    bed.simulator.clock.advance(HOUR);
    await waitUntil(async () => (await batches())[0]?.status === 'collected');
    expect((await manager.getJob(job.id))!.cachePriming).toMatchObject({ primed: 1, heldBack: 0 });
    clock.advance(2 * HOUR);
    bed.simulator.clock.advance(2 * HOUR);
    await manager.resumeJob(job.id);

    // The entry has lapsed: the group is primed again before its fan-out goes.
    await waitUntil(async () => (await batches())[1]?.status === 'submitted');
    expect((await batches()).map((b) => b.requestCount)).toEqual([1, 1]);
    bed.simulator.clock.advance(HOUR);
    await waitUntil(async () => (await batches())[2]?.status === 'submitted');
    bed.simulator.clock.advance(HOUR);
    const done = await waitForStatus(manager, job.id, ['completed', 'failed']);
    expect(done.status).toBe('completed');

    const logged = await intents(bed, job.id);
    expect(logged.map((i) => [i.requestCount, i.purpose, i.heldBack])).toEqual([
      [1, 'cache-prime', 9],
      [1, 'cache-prime', 8],
      [8, undefined, undefined],
    ]);
    expect(logged[0]!.cacheGroup).toBe(logged[1]!.cacheGroup);
    const use = await cacheUse(manager, job.id);
    const fanOut = [...use.entries()].filter(([id]) => id !== 'lapse-0' && id !== 'lapse-1');
    expect(fanOut.every(([, u]) => u.read)).toBe(true);
    expect(done.cachePriming).toMatchObject({ groups: 1, primed: 1, primeBatches: 2 });
  }, 60_000);
});
