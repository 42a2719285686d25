import { describe, expect, it } from 'vitest';
import { decideAdmission } from '../../src/domain/queue-admission.js';

const limits = { maxQueueSize: 5, tenantMaxQueueSize: 5 };

describe('decideAdmission: who may wait in the queue', () => {
  it('admits while the shared queue has room and the tenant is under its quota', () => {
    expect(decideAdmission({ waiting: 4, waitingMine: 4, tenantsWaiting: 1 }, limits)).toEqual({
      admitted: true,
    });
  });

  it("refuses a tenant at its own quota, with its own numbers, whatever the queue's room", () => {
    expect(
      decideAdmission(
        { waiting: 3, waitingMine: 3, tenantsWaiting: 1 },
        { maxQueueSize: 100, tenantMaxQueueSize: 3 },
      ),
    ).toEqual({ admitted: false, limit: 'quota', allowed: 3, waiting: 3 });
  });

  it('admits a newcomer when another tenant filled the shared queue (the reported case)', () => {
    // alice's five jobs fill maxQueueSize 5; bob has none waiting: his share is 5 / 2.
    expect(decideAdmission({ waiting: 5, waitingMine: 0, tenantsWaiting: 1 }, limits)).toEqual({
      admitted: true,
    });
    expect(decideAdmission({ waiting: 6, waitingMine: 1, tenantsWaiting: 2 }, limits)).toEqual({
      admitted: true,
    });
  });

  it('refuses a tenant at its share while the shared queue is full', () => {
    // bob reached his share (5 / 2 tenants = 2); alice, over hers, is refused too.
    expect(decideAdmission({ waiting: 7, waitingMine: 2, tenantsWaiting: 2 }, limits)).toEqual({
      admitted: false,
      limit: 'share',
      allowed: 2,
      waiting: 2,
    });
    expect(
      decideAdmission({ waiting: 7, waitingMine: 5, tenantsWaiting: 2 }, limits),
    ).toMatchObject({ admitted: false, limit: 'quota' });
  });

  it('leaves a lone tenant the whole shared queue', () => {
    expect(
      decideAdmission({ waiting: 5, waitingMine: 5, tenantsWaiting: 1 }, limits),
    ).toMatchObject({ admitted: false, limit: 'quota', allowed: 5 });
    expect(
      decideAdmission(
        { waiting: 5, waitingMine: 5, tenantsWaiting: 1 },
        { maxQueueSize: 5, tenantMaxQueueSize: 10 },
      ),
    ).toEqual({ admitted: false, limit: 'share', allowed: 5, waiting: 5 });
  });

  it('keeps a share of at least one job however many tenants wait', () => {
    expect(decideAdmission({ waiting: 5, waitingMine: 0, tenantsWaiting: 40 }, limits)).toEqual({
      admitted: true,
    });
  });
});
