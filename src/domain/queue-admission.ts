/**
 * Whether a tenant's new job may wait in the queue. Two limits: the tenant's own quota
 * (tenantMaxQueueSize, or its override), and the queue shared by every tenant (maxQueueSize).
 * While the shared queue is full, a tenant is still admitted up to its fair share of it: the
 * shared limit split evenly between the tenants with jobs waiting, the caller counted. So one
 * tenant that filled the queue cannot keep another out; the tenants over their share wait for
 * room. A refusal speaks of the caller's own numbers only, never of other tenants' jobs.
 */
export interface QueueOccupancy {
  /** Pending and queued jobs, every tenant's. */
  waiting: number;
  /** The caller's pending and queued jobs. */
  waitingMine: number;
  /**
   * Tenants with jobs pending or queued, the caller among them or not; read only when the
   * shared queue is full (decideAdmission needs it then alone).
   */
  tenantsWaiting: number;
}

export interface QueueLimits {
  maxQueueSize: number;
  tenantMaxQueueSize: number;
}

export type Admission =
  | { admitted: true }
  | {
      admitted: false;
      /** `quota`: the tenant's own limit; `share`: its share while the shared queue is full. */
      limit: 'quota' | 'share';
      /** How many of its jobs may wait under that limit, and how many do. */
      allowed: number;
      waiting: number;
    };

export function decideAdmission(occupancy: QueueOccupancy, limits: QueueLimits): Admission {
  const { waiting, waitingMine, tenantsWaiting } = occupancy;
  if (waitingMine >= limits.tenantMaxQueueSize) {
    return {
      admitted: false,
      limit: 'quota',
      allowed: limits.tenantMaxQueueSize,
      waiting: waitingMine,
    };
  }
  if (waiting < limits.maxQueueSize) return { admitted: true };
  const sharing = tenantsWaiting + (waitingMine === 0 ? 1 : 0);
  const share = Math.max(1, Math.floor(limits.maxQueueSize / Math.max(1, sharing)));
  if (waitingMine < share) return { admitted: true };
  return { admitted: false, limit: 'share', allowed: share, waiting: waitingMine };
}
