import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobsApiHarness, request } from './jobs-harness.js';

interface Chart {
  jobId: string;
  machine: {
    id: string;
    initial: string;
    states: { id: string; type: string; parent: string | null; initial: string | null }[];
    transitions: { from: string; event: string; to: string | null; guard: string | null }[];
  };
  current: { state: string; step: string | null };
  transitions: { version: number; event: string; from: string; to: string }[];
}

describe('GET /v1/jobs/{id}/chart', () => {
  let api: JobsApiHarness;
  let chart: Chart;
  beforeAll(async () => {
    api = await JobsApiHarness.open();
    const { id } = await api.createJob({ requests: [request('charted')] });
    await api.waitForStatus(id, ['completed']);
    chart = (await (await api.call('GET', `/v1/jobs/${id}/chart`)).json()) as Chart;
  });
  afterAll(() => api.close());

  it('describes the machine’s states, nested ones under their parent', () => {
    expect(chart.machine).toMatchObject({ id: 'job', initial: 'new' });
    expect(chart.machine.states).toEqual(
      expect.arrayContaining([
        { id: 'processing', type: 'compound', parent: null, initial: 'processing.submitting' },
        { id: 'processing.waiting', type: 'atomic', parent: 'processing', initial: null },
        { id: 'deleted', type: 'final', parent: null, initial: null },
      ]),
    );
  });

  it('describes the machine’s transitions with their guards', () => {
    expect(chart.machine.transitions).toEqual(
      expect.arrayContaining([
        { from: 'pending', event: 'JobQueued', to: 'queued', guard: null },
        {
          from: 'processing.waiting',
          event: 'JobCompleted',
          to: 'completed',
          guard: 'nothingInFlight',
        },
      ]),
    );
  });

  it('says where the job is now', () => {
    expect(chart.current).toEqual({ state: 'completed', step: null });
  });

  it('lists the transitions the job took, each leaving the state the last one entered', () => {
    expect(chart.transitions.slice(0, 3)).toEqual([
      expect.objectContaining({ version: 1, event: 'JobCreated', from: 'new', to: 'pending' }),
      expect.objectContaining({ version: 2, event: 'JobQueued', from: 'pending', to: 'queued' }),
      expect.objectContaining({
        version: 3,
        event: 'JobStarted',
        from: 'queued',
        to: 'processing.submitting',
      }),
    ]);
    chart.transitions.slice(1).forEach((step, index) => {
      expect(step.from).toBe(chart.transitions[index]!.to);
    });
    expect(chart.transitions.at(-1)).toMatchObject({ event: 'JobCompleted', to: 'completed' });
  });

  it('answers 404 for a job that does not exist', async () => {
    expect((await api.call('GET', '/v1/jobs/job_nope/chart')).status).toBe(404);
  });
});
