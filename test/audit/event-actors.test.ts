import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, hashApiKey } from '../../src/store/api-keys.js';
import type { RecordedEvent } from '../../src/store/event-store.types.js';
import { API_KEYS, JobsApiHarness, request } from '../http/jobs-harness.js';

const ACME_KEY = API_KEYS[0].key;
const acmeKeyId = `sha256:${hashApiKey(ACME_KEY).slice(0, 16)}`;

describe('who did what: the actor in every event’s metadata', () => {
  let api: JobsApiHarness;
  let jobId: string;
  let createdBy: string;
  let cancelledBy: string;
  let events: RecordedEvent[];
  beforeAll(async () => {
    // Batches take a minute at this simulator: the job is processing when it is cancelled.
    api = await JobsApiHarness.open({ simulator: { latencyMs: 60_000, cancelLatencyMs: 20 } });
    const created = await api.call('POST', '/v1/jobs', {
      json: { requests: [request('who-1'), request('who-2')] },
    });
    expect(created.status).toBe(201);
    createdBy = created.headers.get('request-id')!;
    jobId = ((await created.json()) as { id: string }).id;
    await api.waitForStatus(jobId, ['processing']);
    const cancelled = await api.call('POST', `/v1/jobs/${jobId}/cancel`);
    expect(cancelled.status).toBe(200);
    cancelledBy = cancelled.headers.get('request-id')!;
    await api.waitForStatus(jobId, ['cancelled']);
    events = (await api.manager.forTenant('acme').readEvents(jobId))!;
  }, 60_000);
  afterAll(() => api.close());

  const actorsOf = (type: string) =>
    events.filter((event) => event.type === type).map((event) => event.metadata.actor);

  it('records the tenant, API key id and request id of the HTTP call that created the job', () => {
    expect(createdBy).toMatch(/\S/);
    expect(actorsOf('JobCreated')).toEqual([
      { kind: 'api', tenant: 'acme', apiKeyId: acmeKeyId, requestId: createdBy },
    ]);
    expect(events[0]!.metadata).toMatchObject({ instanceId: expect.any(String) });
  });

  it('records the call that cancelled it on the events the cancel wrote', () => {
    const byCancel = events.filter(
      (event) =>
        (event.metadata.actor as { requestId?: string } | undefined)?.requestId === cancelledBy,
    );
    expect(byCancel.map((event) => event.type)).toContain('JobCancellationRequested');
    for (const event of byCancel) {
      expect(event.metadata.actor).toEqual({
        kind: 'api',
        tenant: 'acme',
        apiKeyId: acmeKeyId,
        requestId: cancelledBy,
      });
    }
  });

  it('says that the driver wrote what the job did by itself', () => {
    expect(actorsOf('JobStarted')).toEqual([{ kind: 'system', loop: 'driver' }]);
    expect(actorsOf('BatchSubmitted')).toEqual([{ kind: 'system', loop: 'driver' }]);
  });

  it('gives every event an actor, and never the key itself', () => {
    expect(events.every((event) => event.metadata.actor !== undefined)).toBe(true);
    expect(JSON.stringify(events)).not.toContain(ACME_KEY);
  });
});

describe('a stored API key in the actor', () => {
  let api: JobsApiHarness;
  afterAll(() => api?.close());

  it('is named by the id `keys list` prints, and a configured key by its fingerprint', async () => {
    api = await JobsApiHarness.open();
    const { key, apiKey } = await createApiKey(api.bed.database.db, { tenant: 'acme' });
    const created = await api.call('POST', '/v1/jobs', {
      json: { requests: [request('stored-key-1')] },
      headers: { authorization: `Bearer ${key}` },
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const events = (await api.manager.forTenant('acme').readEvents(id))!;
    expect(events[0]!.metadata.actor).toMatchObject({ kind: 'api', apiKeyId: apiKey.id });
    expect(apiKey.id).toMatch(/^key_/);
    expect(JSON.stringify(events)).not.toContain(key);
  });
});
