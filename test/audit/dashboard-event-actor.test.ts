import { describe, expect, it } from 'vitest';
import { actorOf } from '../../dashboard/job/event-summary.js';

const recorded = (metadata: Record<string, unknown>) => ({
  position: 1,
  version: 1,
  type: 'JobCreated',
  data: {},
  metadata,
  recordedAt: '2026-03-14T09:26:53.601Z',
});

describe('who wrote an event, as the dashboard’s timeline says it', () => {
  it('names the loop of a system event and the instance', () => {
    const event = recorded({ instanceId: 'i-1', actor: { kind: 'system', loop: 'driver' } });
    expect(actorOf(event)).toBe('driver on i-1');
  });

  it('names the key of an API call, and in full the tenant and request id', () => {
    const actor = { kind: 'api', tenant: 'acme', apiKeyId: 'sha256:0123', requestId: 'req_1' };
    const event = recorded({ instanceId: 'i-1', actor });
    expect(actorOf(event)).toBe('api key sha256:0123 on i-1');
    expect(actorOf(event, true)).toBe('api key sha256:0123, tenant acme, request req_1 on i-1');
  });

  it('shows only the instance for an event written before actors were recorded', () => {
    expect(actorOf(recorded({ instanceId: 'i-1' }))).toBe('i-1');
  });
});
