import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobsApi } from '../../src/http/jobs-api.js';
import { API_KEYS, JobsApiHarness, request } from './jobs-harness.js';
import { buildTestApp } from './test-app.js';

interface SseMessage {
  event: string;
  data: Record<string, unknown>;
}

/** Reads a whole event stream as a browser would split it: messages end at a blank line. */
async function readEventStream(
  response: Response,
): Promise<{ messages: SseMessage[]; comments: number }> {
  const text = await response.text();
  const messages: SseMessage[] = [];
  let comments = 0;
  for (const block of text.split('\n\n').filter((b) => b.trim() !== '')) {
    const fields = block.split('\n');
    if (fields.every((field) => field.startsWith(':'))) {
      comments += 1;
      continue;
    }
    const event = fields.find((f) => f.startsWith('event: '))?.slice(7) ?? 'message';
    const data = fields
      .filter((f) => f.startsWith('data: '))
      .map((f) => f.slice(6))
      .join('\n');
    messages.push({ event, data: JSON.parse(data) as Record<string, unknown> });
  }
  return { messages, comments };
}

describe('GET /v1/jobs/{id}/stream', () => {
  let api: JobsApiHarness;
  let url: string;
  beforeAll(async () => {
    // A batch takes 300 ms, far longer than the 50 ms of silence before a heartbeat.
    api = await JobsApiHarness.open({
      simulator: { latencyMs: 300 },
      api: { stream: { pollIntervalMs: 20, heartbeatMs: 50 } },
    });
    url = await api.listen();
  });
  afterAll(() => api.close());

  const follow = (id: string, tenant: 'acme' | 'globex' = 'acme') =>
    fetch(`${url}/v1/jobs/${id}/stream`, { headers: api.authorization(tenant) });

  it('streams status events until the job completes, then ends', async () => {
    const { id } = await api.createJob({ requests: [request('live-1'), request('live-2')] });
    const response = await follow(id);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const { messages } = await readEventStream(response);
    const statuses = messages.filter((m) => m.event === 'status');
    expect(statuses[0]!.data).toMatchObject({ id, previousStatus: null });
    expect(statuses.at(-1)!.data).toMatchObject({
      id,
      status: 'completed',
      progress: expect.objectContaining({ completed: 2, percentComplete: 100 }),
    });
    expect(messages.at(-1)).toBe(statuses.at(-1));
  });

  it('tells each status change with the status it left', async () => {
    const { id } = await api.createJob({ requests: [request('live-3')] });
    const { messages } = await readEventStream(await follow(id));
    const changes = messages.filter((m) => m.event === 'status').slice(1);
    expect(changes.length).toBeGreaterThan(0);
    let previous = messages[0]!.data.status;
    for (const change of changes) {
      expect(change.data.previousStatus).toBe(previous);
      previous = change.data.status;
    }
  });

  it('sends progress events between status changes as the step or counts move', async () => {
    const { id } = await api.createJob({ requests: [request('live-4'), request('live-4b')] });
    const reading = readEventStream(await follow(id));
    // While its batch is at Anthropic, counts move without a status change (reported by hand:
    // the engine's own commits may come too close together for the stream to see between).
    await api.waitForStatus(id, ['processing']);
    await api.manager.forTenant('acme').updateProgress(id, { completed: 1 });
    const { messages } = await reading;
    const progress = messages.filter((m) => m.event === 'progress');
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((m) => m.data.status === 'processing')).toBe(true);
  });

  it('sends one status event and ends for a job that has already ended', async () => {
    const { id } = await api.createJob({ requests: [request('live-5')] });
    await api.waitForStatus(id, ['completed']);
    const { messages } = await readEventStream(await follow(id));
    expect(messages).toEqual([
      {
        event: 'status',
        data: expect.objectContaining({ status: 'completed', previousStatus: null }),
      },
    ]);
  });

  it('sends a deleted event and ends when the job is deleted while followed', async () => {
    const { id } = await api.createJob({ requests: [request('live-6')] });
    const response = await follow(id);
    const reading = readEventStream(response);
    await api.call('DELETE', `/v1/jobs/${id}`);
    const { messages } = await reading;
    expect(messages[0]!.event).toBe('status');
    expect(messages.at(-1)).toEqual({ event: 'deleted', data: { id } });
  });

  it('keeps the connection alive with heartbeat comments while nothing changes', async () => {
    const { id } = await api.createJob({ requests: [request('live-7')] });
    const { comments } = await readEventStream(await follow(id));
    expect(comments).toBeGreaterThan(0);
  });

  it('ends with a generic error event when following the job fails', async () => {
    // A second manager on the same database, closed while its stream is open.
    const manager = api.bed.manager({ worker: false });
    const { app } = buildTestApp(api.bed.database, {
      apiKeys: [...API_KEYS],
      routes: jobsApi({ manager, stream: { pollIntervalMs: 20 } }),
    });
    const { id } = await api.createJob({ requests: [request('live-8')] });
    const response = await app.request(`/v1/jobs/${id}/stream`, { headers: api.authorization() });
    const reading = readEventStream(response);
    await manager.close();
    const { messages } = await reading;
    expect(messages.at(-1)).toEqual({
      event: 'error',
      data: { type: 'api_error', message: 'the event stream failed; reconnect' },
    });
  });

  it('answers 404 as JSON, not a stream, for a job that does not exist', async () => {
    const response = await follow('job_nope');
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { type: 'not_found_error' } });
  });
});
