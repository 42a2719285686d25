import { describe, expect, it } from 'vitest';
import { requests, START, startRig } from './simulator-harness.js';

describe('AnthropicGateway and the shared rate limit', () => {
  it('keeps its calls under requestsPerMinute, so the API never has to refuse one', async () => {
    const rig = await startRig({ requestsPerMinute: 50 });
    const gateway = rig.gateway({ requestsPerMinute: 50 });
    const { id } = await gateway.createBatch(requests(1));
    for (let i = 0; i < 119; i++) await gateway.getBatchStatus(id);
    expect(rig.sim.stats()).toMatchObject({ httpRequests: 120, rateLimited: 0 });
    // A burst of 25, then one every 1.2 s: the other 95 took at least 114 s of the clock.
    expect(rig.clock.now().getTime() - START.getTime()).toBeGreaterThanOrEqual(95 * 1200);
  });

  it('spaces out concurrent calls too: a burst of half the rate, then one per interval', async () => {
    const rig = await startRig();
    const gateway = rig.gateway({ requestsPerMinute: 10 });
    await Promise.all(Array.from({ length: 30 }, () => gateway.listBatches()));
    expect(rig.sim.stats().httpRequests).toBe(30);
    expect(rig.clock.now().getTime() - START.getTime()).toBeGreaterThanOrEqual(25 * 6_000);
  });

  it('without a limit of its own, is refused with 429s and gets through by obeying retry-after', async () => {
    const rig = await startRig({ requestsPerMinute: 50 });
    const gateway = rig.gateway({ maxRetries: 10 });
    const { id } = await gateway.createBatch(requests(1));
    for (let i = 0; i < 79; i++) await gateway.getBatchStatus(id);
    const stats = rig.sim.stats();
    expect(stats.rateLimited).toBeGreaterThan(0);
    expect(stats.httpRequests - stats.rateLimited).toBe(80);
  });
});
