import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Priority } from '../../src/domain/priority.js';
import { type ClaimShares, claimQueuedJobs } from '../../src/store/jobs/job-leases.js';
import { setTenantLimits } from '../../src/store/jobs/tenant-limits.js';
import { request, TestBed } from '../support/manager.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const LATER = new Date('2026-12-01T13:00:00Z');

/** Claims one job at a time for `owner`, as slots free up, and answers the tenants in claim order. */
async function claimInTurn(
  bed: TestBed,
  owner: string,
  claims: number,
  shares: Omit<ClaimShares, 'heldHere'>,
): Promise<string[]> {
  const heldHere = new Map<string, number>();
  const order: string[] = [];
  for (let n = 0; n < claims; n++) {
    const events = await claimQueuedJobs(bed.database.db, {
      owner,
      limit: 1,
      now: NOW,
      expiresAt: LATER,
      shares: { ...shares, heldHere },
    });
    const created = events.find((e) => e.type === 'JobCreated');
    if (!created) break;
    const tenant = (created.data as { tenant: string }).tenant;
    order.push(tenant);
    heldHere.set(tenant, (heldHere.get(tenant) ?? 0) + 1);
  }
  return order;
}

describe('claiming is fair between tenants', () => {
  // A database of its own for each case: jobs another case left queued would be claimed too.
  let bed: TestBed;
  beforeEach(async () => {
    bed = await TestBed.open({ latencyMs: 0 });
  });
  afterEach(() => bed.close());

  it("given 100 queued jobs of one tenant and then 1 of another, the other's starts within maxConcurrentJobs claims", async () => {
    const a = bed.manager({ worker: false, tenant: 'fair-a' });
    const b = bed.manager({ worker: false, tenant: 'fair-b' });
    for (let n = 0; n < 100; n++) await a.createJob({ requests: [request(`fair-a-${n}`)] });
    await b.createJob({ requests: [request('fair-b-0')] });
    const order = await claimInTurn(bed, 'fair-instance', 5, {
      tenantMaxConcurrentJobs: 5,
      prioritySlots: 3,
    });
    expect(order.slice(0, 5)).toContain('fair-b');
    // Turns: each tenant's first job before either's second.
    expect(order.slice(0, 2).sort()).toEqual(['fair-a', 'fair-b']);
  });

  it('gives a tenant no more of the instance than its share, unless its override says more', async () => {
    const a = bed.manager({ worker: false, tenant: 'share-a' });
    const b = bed.manager({ worker: false, tenant: 'share-b' });
    for (let n = 0; n < 5; n++) await a.createJob({ requests: [request(`share-a-${n}`)] });
    await b.createJob({ requests: [request('share-b-0')] });
    const capped = await claimInTurn(bed, 'share-instance', 5, {
      tenantMaxConcurrentJobs: 2,
      prioritySlots: 3,
    });
    expect(capped).toEqual(['share-a', 'share-b', 'share-a']);

    await setTenantLimits(bed.database.db, 'share-a', { maxConcurrentJobs: 4 });
    const raised = await claimQueuedJobs(bed.database.db, {
      owner: 'share-instance',
      limit: 5,
      now: NOW,
      expiresAt: LATER,
      shares: {
        heldHere: new Map([
          ['share-a', 2],
          ['share-b', 1],
        ]),
        tenantMaxConcurrentJobs: 2,
        prioritySlots: 3,
      },
    });
    expect(new Set(raised.map((e) => e.streamId)).size).toBe(2);
  });

  it('lets a lone tenant hold every slot: nobody else needs one kept free', async () => {
    const a = bed.manager({ worker: false, tenant: 'alone' });
    for (let n = 0; n < 5; n++) await a.createJob({ requests: [request(`alone-${n}`)] });
    const order = await claimInTurn(bed, 'alone-instance', 5, {
      tenantMaxConcurrentJobs: 2,
      prioritySlots: 3,
    });
    expect(order).toHaveLength(5);
  });

  it("counts a tenant's urgent priority only for its first slots: another tenant's normal job comes next", async () => {
    const a = bed.manager({ worker: false, tenant: 'urgent-a' });
    const b = bed.manager({ worker: false, tenant: 'urgent-b' });
    for (let n = 0; n < 4; n++) {
      await a.createJob({ requests: [request(`urgent-a-${n}`)], priority: Priority.CRITICAL });
    }
    await b.createJob({ requests: [request('urgent-b-0')] });
    const order = await claimInTurn(bed, 'urgent-instance', 3, {
      tenantMaxConcurrentJobs: 5,
      prioritySlots: 1,
    });
    expect(order).toEqual(['urgent-a', 'urgent-b', 'urgent-a']);
  });
});
