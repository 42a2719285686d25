import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, TestBed, waitForStatus } from '../support/manager.js';

// Issue 15, item 8: valid JSON from Anthropic that Postgres's jsonb cannot store.
let bed: TestBed;
beforeAll(async () => {
  bed = await TestBed.open({ faults: { unstorableTextRate: 1 } });
});
afterAll(async () => {
  await bed.close();
});

describe('a result whose text holds a NUL and a lone surrogate', () => {
  it('is stored escaped and flagged, and the job completes with it readable', async () => {
    const manager = bed.manager();
    const job = await manager.createJob({ requests: [request(1), request(2)] });
    const done = await waitForStatus(manager, job.id, ['completed', 'failed', 'expired']);
    expect(done.status).toBe('completed');
    expect(done.progress).toMatchObject({ completed: 2, failed: 0 });
    const results = await manager.getJobResults(job.id);
    const line = results?.results['req-1'] as {
      result: { type: string; _escaped?: boolean; message: { content: Array<{ text: string }> } };
    };
    expect(line.result.type).toBe('succeeded');
    expect(line.result._escaped).toBe(true);
    expect(line.result.message.content[0]!.text).toMatch(/ \\u0000 \\ud800$/);
  });
});
