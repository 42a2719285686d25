import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobsApiHarness, request } from './jobs-harness.js';

describe('POST /v1/jobs/{id}/cancel, /pause and /resume', () => {
  let api: JobsApiHarness;
  beforeAll(async () => {
    // Batches take a minute at this simulator: a started job stays processing for the test.
    // Creating one takes 300 ms: time for a command to land between intent and answer.
    api = await JobsApiHarness.open({
      simulator: {
        latencyMs: 60_000,
        cancelLatencyMs: 20,
        faults: { endpoints: { create: { slowRate: 1 } }, slowMs: 300 },
      },
    });
  });
  afterAll(() => api.close());

  /** Waits until the job's log holds an event of `type`. */
  async function waitForEvent(id: string, type: string): Promise<void> {
    const jobs = api.manager.forTenant('acme');
    while (!(await jobs.readEvents(id))?.some((event) => event.type === type)) await sleep(10);
  }

  /** A job the worker has submitted, waiting on its batch. */
  async function processingJob(name: string): Promise<string> {
    const { id } = await api.createJob({ requests: [request(name)] });
    await api.waitForStatus(id, ['processing']);
    return id;
  }

  it('pauses a processing job with 200 and the transition', async () => {
    const id = await processingJob('pause-1');
    const response = await api.call('POST', `/v1/jobs/${id}/pause`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ id, previousStatus: 'processing', status: 'paused' });
  });

  it('answers 409 to pausing a job that is already paused', async () => {
    const id = await processingJob('pause-2');
    await api.call('POST', `/v1/jobs/${id}/pause`);
    const response = await api.call('POST', `/v1/jobs/${id}/pause`);
    expect(response.status).toBe(409);
    expect(await response.json()).toEqual({
      error: { type: 'illegal_transition_error', message: 'cannot pause a job that is paused' },
    });
  });

  it('resumes a paused job with 200', async () => {
    const id = await processingJob('resume-1');
    await api.call('POST', `/v1/jobs/${id}/pause`);
    const response = await api.call('POST', `/v1/jobs/${id}/resume`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ id, previousStatus: 'paused', status: 'processing' });
  });

  it('answers 409 to resuming a job that is not paused', async () => {
    const id = await processingJob('resume-2');
    const response = await api.call('POST', `/v1/jobs/${id}/resume`);
    expect(response.status).toBe(409);
  });

  it('cancels a processing job, which ends cancelled once Anthropic has cancelled its batch', async () => {
    const id = await processingJob('cancel-1');
    const response = await api.call('POST', `/v1/jobs/${id}/cancel`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ id, previousStatus: 'processing' });
    const job = await api.waitForStatus(id, ['cancelled']);
    expect(job.progress.cancelled).toBe(1);
  });

  it('cancels a job whose batch is being created, keeping the batch Anthropic answered with', async () => {
    const { id } = await api.createJob({ requests: [request('cancel-mid-create')] });
    await waitForEvent(id, 'BatchSubmissionIntended');
    expect((await api.call('POST', `/v1/jobs/${id}/cancel`)).status).toBe(200);
    await api.waitForStatus(id, ['cancelled']);
    const { events } = (await (await api.call('GET', `/v1/jobs/${id}/events`)).json()) as {
      events: { type: string; data: { adopted?: boolean } }[];
    };
    const submitted = events.filter((event) => event.type === 'BatchSubmitted');
    // Recorded from the create call's answer, not adopted later by reconciliation.
    expect(submitted.map((event) => event.data.adopted ?? false)).toEqual([false]);
  });

  it('answers 409 to cancelling a job that has ended', async () => {
    const { id } = await api.createJob({ requests: [request('cancel-2')] });
    await api.call('POST', `/v1/jobs/${id}/cancel`);
    await api.waitForStatus(id, ['cancelled']);
    const response = await api.call('POST', `/v1/jobs/${id}/cancel`);
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ error: { type: 'illegal_transition_error' } });
  });

  it('answers 404 to each command for a job that does not exist', async () => {
    const statuses = await Promise.all(
      ['cancel', 'pause', 'resume'].map(
        async (command) => (await api.call('POST', `/v1/jobs/job_nope/${command}`)).status,
      ),
    );
    expect(statuses).toEqual([404, 404, 404]);
  });

  it('answers 405 to a GET on a command', async () => {
    const response = await api.call('GET', '/v1/jobs/job_nope/cancel');
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
  });
});
