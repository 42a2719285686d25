import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnthropicGateway } from '../../src/anthropic/anthropic-gateway.js';
import { type RunningSimulator, startSimulator } from '../../src/anthropic/simulator/index.js';
import { ManualClock } from '../../src/domain/clock.js';
import { DEFAULT_JOB_OPTIONS } from '../../src/domain/job-options.js';
import { JobEstimator } from '../../src/machines/estimate-job.js';

let simulator: RunningSimulator;
let gateway: AnthropicGateway;
beforeAll(async () => {
  simulator = await startSimulator({ latencyMs: 0 });
  gateway = new AnthropicGateway({ apiKey: 'test-key', baseURL: simulator.url });
});
afterAll(async () => {
  await simulator.stop();
});

const estimator = (countLimit?: number) =>
  new JobEstimator({
    api: gateway,
    clock: new ManualClock(),
    options: DEFAULT_JOB_OPTIONS,
    countLimit,
  });

/** `n` requests whose prompts grow from short to long, so a sample must extrapolate. */
const growingJob = (n: number) => ({
  requests: Array.from({ length: n }, (_, i) => ({
    custom_id: `grow-${i}`,
    params: {
      model: 'claude-haiku-4-5',
      max_tokens: 100 + i,
      messages: [{ role: 'user', content: `${'word '.repeat(10 + (i % 17) * 7)}${i}` }],
    },
  })),
});

describe('JobEstimator against the simulator (the real SDK’s count_tokens)', () => {
  it('counts every request up to the limit: exact input tokens, not sampled', async () => {
    const before = simulator.stats().tokenCounts;
    const estimate = await estimator(50).estimate(growingJob(40));
    expect(simulator.stats().tokenCounts - before).toBe(40);
    expect(estimate.sampled).toBe(false);
    expect(estimate.inputTokensRange).toEqual({
      min: estimate.inputTokens,
      max: estimate.inputTokens,
    });
    expect(estimate.maxOutputTokens).toBe(40 * 100 + (39 * 40) / 2);
  });

  it('above the limit counts an even sample, says so, and its bounds hold the exact figures', async () => {
    const job = growingJob(300);
    const exact = await estimator(1000).estimate(job);
    const before = simulator.stats().tokenCounts;
    const sampled = await estimator(30).estimate(job);
    expect(simulator.stats().tokenCounts - before).toBe(30);
    expect(sampled).toMatchObject({ sampled: true, countedRequests: 30, requests: 300 });
    // The output bound needs no counting: it is exact either way.
    expect(sampled.maxOutputTokens).toBe(exact.maxOutputTokens);
    expect(sampled.inputTokensRange.min).toBeLessThanOrEqual(exact.inputTokens);
    expect(sampled.inputTokensRange.max).toBeGreaterThanOrEqual(exact.inputTokens);
    expect(sampled.inputTokensRange.max).toBeGreaterThan(sampled.inputTokensRange.min);
    expect(sampled.minUsd!).toBeLessThanOrEqual(exact.minUsd!);
    expect(sampled.maxUsd!).toBeGreaterThanOrEqual(exact.maxUsd!);
  });
});
