import type { JobEvent } from './job.events.js';
import type { JobConfig } from './job-config.schema.js';
import type { MessageParams } from './request.schema.js';

/** Where a duplicate takes its outcome from: a request of this job or of another. */
export interface OriginalRef {
  jobId: string;
  ordinal: number;
}

/** A request as the plan stores it: its place, its fingerprint and, for a duplicate, its original. */
export interface PlannedRequest {
  ordinal: number;
  customId: string;
  params: MessageParams;
  fingerprint: string;
  original: OriginalRef | null;
}

/** What a new job will be: its events, its requests, and the fingerprints it becomes the original of. */
export interface JobPlan {
  events: [JobEvent, JobEvent];
  requests: PlannedRequest[];
  /** One entry per distinct fingerprint the job sends itself (its first request with it). */
  originals: Array<{ fingerprint: string; ordinal: number }>;
}

export interface PlanInput {
  jobId: string;
  tenant: string;
  config: JobConfig;
  /** Each request's fingerprint, in order. */
  fingerprints: readonly string[];
  /** The live originals of the tenant the plan was shown, by fingerprint (empty without dedup). */
  knownOriginals: ReadonlyMap<string, OriginalRef>;
  configHash: string;
  now: Date;
  defaults: { priority: number; timeoutMs: number };
}

/**
 * Plans a job's creation against the originals it is shown: a request whose
 * fingerprint has a live original elsewhere takes that one's outcome; within
 * the job, the first of equal requests is the original. Pure: the database,
 * not the plan, has the last word on which request is the original (the
 * handler claims `originals` and plans again if another job claimed one first).
 */
export function planJob(input: PlanInput): JobPlan {
  const { jobId, tenant, config, fingerprints, knownOriginals, now } = input;
  const firstInJob = new Map<string, number>();
  const originals: JobPlan['originals'] = [];
  const requests = config.requests.map((request, ordinal): PlannedRequest => {
    const fingerprint = fingerprints[ordinal]!;
    let original = config.deduplicate ? (knownOriginals.get(fingerprint) ?? null) : null;
    if (!original) {
      const first = firstInJob.get(fingerprint);
      if (first === undefined) {
        firstInJob.set(fingerprint, ordinal);
        originals.push({ fingerprint, ordinal });
      } else if (config.deduplicate) {
        original = { jobId, ordinal: first };
      }
    }
    return { ordinal, customId: request.custom_id, params: request.params, fingerprint, original };
  });
  const duplicates = requests.filter((r) => r.original).length;
  const at = now.toISOString();
  const timeoutMs = config.timeoutMs ?? input.defaults.timeoutMs;
  return {
    requests,
    originals,
    events: [
      {
        type: 'JobCreated',
        data: {
          jobId,
          tenant,
          priority: config.priority ?? input.defaults.priority,
          tags: config.tags ?? [],
          metadata: config.metadata ?? {},
          deduplicate: config.deduplicate,
          timeoutMs,
          callbackUrl: config.callbackUrl ?? null,
          idempotencyKey: config.idempotencyKey ?? null,
          configHash: input.configHash,
          totalRequests: requests.length,
          uniqueRequests: requests.length - duplicates,
          deduplicatedRequests: duplicates,
          createdAt: at,
          expiresAt: new Date(now.getTime() + timeoutMs).toISOString(),
        },
      },
      { type: 'JobQueued', data: { at } },
    ],
  };
}
