import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobsApiHarness, request } from './jobs-harness.js';

interface EventLog {
  jobId: string;
  events: {
    position: number;
    version: number;
    type: string;
    data: Record<string, unknown>;
    metadata: Record<string, unknown>;
    recordedAt: string;
  }[];
}

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

describe('the audit routes of a completed job', () => {
  let api: JobsApiHarness;
  let jobId: string;
  beforeAll(async () => {
    api = await JobsApiHarness.open();
    jobId = (await api.createJob({ requests: [request('audited')] })).id;
    await api.waitForStatus(jobId, ['completed']);
  });
  afterAll(() => api.close());

  describe('GET /v1/jobs/{id}/events', () => {
    it('answers the job’s events in stream order, from JobCreated to JobCompleted', async () => {
      const response = await api.call('GET', `/v1/jobs/${jobId}/events`);
      expect(response.status).toBe(200);
      const { events } = (await response.json()) as EventLog;
      expect(events.map((event) => event.version)).toEqual(events.map((_, index) => index + 1));
      expect(events[0]!.type).toBe('JobCreated');
      expect(events.at(-1)!.type).toBe('JobCompleted');
    });

    it('gives each event its position, data, metadata and time', async () => {
      const { events } = (await (
        await api.call('GET', `/v1/jobs/${jobId}/events`)
      ).json()) as EventLog;
      expect(events[0]).toEqual({
        position: expect.any(Number),
        version: 1,
        type: 'JobCreated',
        data: expect.objectContaining({ jobId, tenant: 'acme', totalRequests: 1 }),
        metadata: expect.objectContaining({ tenant: 'acme', instanceId: expect.any(String) }),
        recordedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      });
      const positions = events.map((event) => event.position);
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
    });

    it('ties the events a request caused to its request id', async () => {
      const created = await api.call('POST', '/v1/jobs', {
        json: { requests: [request('correlated')] },
        headers: { 'request-id': 'req-correlated-1' },
      });
      const { id } = (await created.json()) as { id: string };
      const { events } = (await (
        await api.call('GET', `/v1/jobs/${id}/events`)
      ).json()) as EventLog;
      expect(events[0]!.metadata.correlationId).toBe('req-correlated-1');
    });

    it('keeps a deleted job’s log readable, ending in JobDeleted', async () => {
      const { id } = await api.createJob({ requests: [request('deleted-but-audited')] });
      await api.call('DELETE', `/v1/jobs/${id}`);
      const response = await api.call('GET', `/v1/jobs/${id}/events`);
      expect(response.status).toBe(200);
      expect(((await response.json()) as EventLog).events.at(-1)!.type).toBe('JobDeleted');
    });

    it('answers 404 for a job that does not exist', async () => {
      expect((await api.call('GET', '/v1/jobs/job_nope/events')).status).toBe(404);
    });
  });

  describe('GET /v1/jobs/{id}/chart', () => {
    let chart: Chart;
    beforeAll(async () => {
      chart = (await (await api.call('GET', `/v1/jobs/${jobId}/chart`)).json()) as Chart;
    });

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
});
