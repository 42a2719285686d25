import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobEvent } from '../../src/domain/job.events.js';
import { progressOf } from '../../src/domain/job.state.js';
import type { AsOfMarker } from '../../src/machines/job-as-of.js';
import { type JobChart, stateId } from '../../src/machines/job-chart.js';
import { applyEvents, emptySnapshot, stepOf } from '../../src/machines/job-snapshot.js';
import type { JobDetails } from '../../src/manager/batch-job-manager.js';
import { JobsApiHarness, request } from './jobs-harness.js';

type JobBody = JobDetails & { asOf?: AsOfMarker };
interface ErrorBody {
  error: { type: string; message: string; issues: { path: string }[] };
}

interface LoggedEvent {
  version: number;
  type: string;
  data: unknown;
  recordedAt: string;
}

/** The job the log says after its first `n` events, folded here through the machine. */
function foldFirst(events: readonly LoggedEvent[], n: number) {
  const snapshot = applyEvents(
    emptySnapshot(),
    events.slice(0, n).map((e) => ({ type: e.type, data: e.data }) as JobEvent),
  );
  return { snapshot, state: snapshot.context.job! };
}

describe('a job as it was after event N (?asOf)', () => {
  let api: JobsApiHarness;
  let jobId: string;
  let events: LoggedEvent[];
  beforeAll(async () => {
    // Errored results that are retried: a log with retries, several batches, changing counts.
    api = await JobsApiHarness.open({
      simulator: { seed: 7, faults: { erroredResultRates: { api_error: 0.5 } } },
    });
    jobId = (await api.createJob({ requests: [1, 2, 3, 4].map((n) => request(n)) })).id;
    await api.waitForStatus(jobId, ['completed']);
    const log = (await (await api.call('GET', `/v1/jobs/${jobId}/events`)).json()) as {
      events: LoggedEvent[];
    };
    events = log.events;
  });
  afterAll(() => api.close());

  it('is, for every version of a real log, the fold of the first N events', async () => {
    expect(events.length).toBeGreaterThan(8);
    expect(events.map((e) => e.type)).toContain('RetryScheduled');
    for (let n = 1; n <= events.length; n += 1) {
      const response = await api.call('GET', `/v1/jobs/${jobId}?asOf=${n}`);
      expect(response.status, `asOf=${n}`).toBe(200);
      const job = (await response.json()) as JobBody;
      const { snapshot, state } = foldFirst(events, n);
      expect(job, `asOf=${n}`).toMatchObject({
        id: jobId,
        status: state.status,
        step: stepOf(snapshot),
        progress: progressOf(state),
        usage: state.usage,
        retryCount: state.retryCount,
        errorCount: state.errorCount,
        updatedAt: state.updatedAt,
        startedAt: state.startedAt,
        completedAt: state.completedAt,
        asOf: { version: n, at: events[n - 1]!.recordedAt, requestDetails: 'current' },
      });
      expect(
        job.batches.map((b: { batchKey: string; status: string }) => [b.batchKey, b.status]),
      ).toEqual(
        state.batches.filter((b) => b.status !== 'abandoned').map((b) => [b.batchKey, b.status]),
      );
    }
  });

  it('passes through the job’s states in the order its log tells', async () => {
    const statuses: string[] = [];
    for (let n = 1; n <= events.length; n += 1) {
      const { status } = (await (
        await api.call('GET', `/v1/jobs/${jobId}?asOf=${n}`)
      ).json()) as JobBody;
      if (statuses.at(-1) !== status) statuses.push(status);
    }
    expect(statuses).toEqual(['pending', 'queued', 'processing', 'completed']);
  });

  it('at the last version is the job as getJob shows it now, but for the asOf mark', async () => {
    const now = (await (await api.call('GET', `/v1/jobs/${jobId}`)).json()) as JobBody;
    const last = (await (
      await api.call('GET', `/v1/jobs/${jobId}?asOf=${events.length}`)
    ).json()) as JobBody;
    expect(now.asOf).toBeUndefined();
    const { asOf, ...rest } = last;
    expect(asOf?.version).toBe(events.length);
    expect(rest).toEqual(now);
  });

  it('charts the job as it was after event N', async () => {
    for (const n of [1, 3, events.length - 1]) {
      const chart = (await (
        await api.call('GET', `/v1/jobs/${jobId}/chart?asOf=${n}`)
      ).json()) as JobChart;
      expect(chart.current.state).toBe(stateId(foldFirst(events, n).snapshot.value));
      expect(chart.transitions).toHaveLength(n);
      const svg = await (
        await api.call('GET', `/v1/jobs/${jobId}/chart?asOf=${n}&format=svg`)
      ).text();
      expect(svg).toMatch(
        new RegExp(`<g class="state [a-z ]*current" data-state="${chart.current.state}">`),
      );
    }
  });

  it.each(['0', '-1', 'abc', '1.5', 'PAST_END'])(
    'refuses asOf=%s with a 400 naming asOf, on the job and on its chart',
    async (value) => {
      const asOf = value === 'PAST_END' ? String(events.length + 1) : value;
      for (const path of [`/v1/jobs/${jobId}`, `/v1/jobs/${jobId}/chart`]) {
        const response = await api.call('GET', `${path}?asOf=${encodeURIComponent(asOf)}`);
        expect(response.status, `${path}?asOf=${asOf}`).toBe(400);
        const { error } = (await response.json()) as ErrorBody;
        expect(error.type).toBe('invalid_request_error');
        expect(error.message).toContain('asOf');
        expect(error.issues.map((i) => i.path)).toEqual(['asOf']);
      }
    },
  );

  it('does not show another tenant’s job at any version', async () => {
    const response = await api.call('GET', `/v1/jobs/${jobId}?asOf=1`, { tenant: 'globex' });
    expect(response.status).toBe(404);
  });
});
