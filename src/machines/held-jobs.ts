import type { ClaimShares } from '../store/jobs/job-leases.js';
import type { HeldJob } from './held-job.js';

/** The jobs one instance holds: its slots, and how many of them each tenant has. */
export class HeldJobs {
  readonly #held = new Map<string, HeldJob>();
  readonly #tenantOf = new Map<string, string>();

  constructor(private readonly maxConcurrentJobs: number) {}

  /** Slots not holding a job. */
  free(): number {
    return this.maxConcurrentJobs - this.#held.size;
  }

  ids(): string[] {
    return [...this.#held.keys()];
  }

  get(jobId: string): HeldJob | undefined {
    return this.#held.get(jobId);
  }

  has(jobId: string): boolean {
    return this.#held.has(jobId);
  }

  add(jobId: string, tenant: string, job: HeldJob): void {
    this.#held.set(jobId, job);
    this.#tenantOf.set(jobId, tenant);
  }

  /** Frees `job`'s slot, unless the job is held again by a newer HeldJob. */
  remove(jobId: string, job: HeldJob): void {
    if (this.#held.get(jobId) !== job) return;
    this.#held.delete(jobId);
    this.#tenantOf.delete(jobId);
  }

  /** Stops every job after its step in progress; settles when all have. */
  async stopAll(): Promise<string[]> {
    const held = [...this.#held.entries()];
    for (const [, job] of held) job.stop();
    await Promise.all(held.map(([, job]) => job.done));
    this.#held.clear();
    this.#tenantOf.clear();
    return held.map(([id]) => id);
  }

  /** Fair shares of the slots between tenants, as the claim applies them. */
  shares(tenantMaxConcurrentJobs: number): ClaimShares {
    const heldHere = new Map<string, number>();
    for (const tenant of this.#tenantOf.values()) {
      heldHere.set(tenant, (heldHere.get(tenant) ?? 0) + 1);
    }
    return {
      heldHere,
      tenantMaxConcurrentJobs,
      prioritySlots: Math.max(1, Math.ceil(this.maxConcurrentJobs / 2)),
    };
  }
}
