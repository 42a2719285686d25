import { describe, expect, it } from 'vitest';
import { summarizeEvent } from '../../dashboard/job/event-summary.js';
import { JOB_EVENT_TYPES } from '../../src/domain/job.events.js';

const recorded = (type: string, data: unknown) => ({
  position: 1,
  version: 1,
  type,
  data,
  metadata: { instanceId: 'worker-1' },
  recordedAt: '2026-03-14T09:26:53.601Z',
});

describe("the timeline's event summaries", () => {
  it('says something readable for every event type the domain knows', () => {
    for (const type of JOB_EVENT_TYPES) {
      const summary = summarizeEvent(recorded(type, { at: '2026-03-14T09:26:53.589Z' }));
      expect(summary, type).not.toContain('{');
      expect(summary.length, type).toBeGreaterThan(0);
    }
  });

  it("tells a batch's outcomes and cost", () => {
    const summary = summarizeEvent(
      recorded('BatchResultsCollected', {
        batchKey: 'b1',
        batchId: 'msgbatch_1',
        succeeded: 5,
        errored: 1,
        canceled: 0,
        expired: 0,
        retryable: 1,
        usage: { inputTokens: 10, outputTokens: 20, costUsd: 0.25 },
        at: '2026-03-14T09:26:53.589Z',
      }),
    );
    expect(summary).toBe(
      'results of msgbatch_1: 5 succeeded, 1 errored, 0 canceled, 0 expired, 1 to retry, $0.25',
    );
  });

  it('shows an unknown event type by its data', () => {
    expect(summarizeEvent(recorded('SomethingNew', { a: 1 }))).toBe('{"a":1}');
  });
});
