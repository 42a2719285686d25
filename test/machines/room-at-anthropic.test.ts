import { describe, expect, it } from 'vitest';
import { DEFAULT_JOB_OPTIONS } from '../../src/domain/job-options.js';
import { roomAtAnthropic } from '../../src/machines/submit-batch.js';

const options = { ...DEFAULT_JOB_OPTIONS, maxRequestsInFlight: 1000 };

describe("roomAtAnthropic: the organization's batch queue is shared between tenants", () => {
  it('leaves a tenant 80% of the room by default, so another always finds some', () => {
    expect(roomAtAnthropic(options, { all: 0, tenant: 0, maxOverride: null })).toBe(800);
    expect(roomAtAnthropic(options, { all: 800, tenant: 800, maxOverride: null })).toBe(0);
    // Another tenant still has the rest.
    expect(roomAtAnthropic(options, { all: 800, tenant: 0, maxOverride: null })).toBe(200);
  });

  it('never passes what is left of the whole room', () => {
    expect(roomAtAnthropic(options, { all: 950, tenant: 100, maxOverride: null })).toBe(50);
  });

  it("follows the tenant's override, and the setting", () => {
    expect(roomAtAnthropic(options, { all: 0, tenant: 0, maxOverride: 1000 })).toBe(1000);
    expect(
      roomAtAnthropic(
        { ...options, tenantMaxRequestsInFlight: 100 },
        { all: 0, tenant: 40, maxOverride: null },
      ),
    ).toBe(60);
  });
});
