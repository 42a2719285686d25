import { setImmediate } from 'node:timers/promises';
import { sql } from 'kysely';
import { IdempotencyConflictError, QueueFullError } from '../domain/errors.js';
import { fingerprintParams } from '../domain/fingerprint.js';
import type { JobEvent } from '../domain/job.events.js';
import type { JobState } from '../domain/job.state.js';
import { type JobConfig, parseJobConfig } from '../domain/job-config.schema.js';
import { configHashMatches, hashJobConfig } from '../domain/job-config-hash.js';
import {
  findDuplicateOriginals,
  insertJobRequests,
  type StoredRequest,
} from '../store/jobs/job-requests.js';
import { notifyJobWakeup } from '../store/jobs/job-wakeups.js';
import type { Db, Trx } from '../store/schema/index.js';
import type { JobCommandDeps } from './job-commands.js';
import { newJobId } from './job-ids.js';
import type { HydratedJob } from './job-snapshot.js';
import { type CommitContext, commitJobEvents, loadJob } from './job-store.js';

// Any constant no other advisory lock of ours uses: serialises the queue-size check.
const QUEUE_LOCK_KEY = 7_240_002;
// With a tenant's hash as the second key (the two-key space is apart from the one-key one).
const TENANT_CREATE_LOCK = 7_240_003;

/**
 * Validates, deduplicates and stores a job, and queues it, in one
 * transaction. A repeated Idempotency-Key gives back the first job
 * (`created: false`); the same key with another job is a conflict.
 */
export async function createJob(
  deps: JobCommandDeps,
  tenant: string,
  input: unknown,
  context: CommitContext,
): Promise<{ state: JobState; created: boolean }> {
  const { db, clock, options } = deps;
  const config = parseJobConfig(input);
  if (config.callbackUrl) deps.validateCallbackUrl?.(config.callbackUrl);
  const fingerprints = await fingerprintRequests(config);
  const sameConfig = (stored: string) => configHashMatches(stored, config, fingerprints);
  const configHash = hashJobConfig(config, fingerprints);

  if (config.idempotencyKey) {
    const existing = await findByIdempotencyKey(db, tenant, config.idempotencyKey, sameConfig);
    if (existing) return { state: existing, created: false };
  }

  const now = clock.now();
  const jobId = newJobId(now);
  const create = () =>
    db.transaction().execute(async (trx) => {
      // Fail fast when the queue is full; checked again, under the lock, before queueing.
      await assertQueueHasRoom(trx, options.maxQueueSize);
      // One tenant's jobs are created one at a time, so each sees the requests of the one
      // before and deduplicates against them. Other tenants are not held up.
      await lockTenantJobCreation(trx, tenant);
      const since = new Date(now.getTime() - options.deduplicationWindowMs);
      const across = config.deduplicate
        ? await findDuplicateOriginals(trx, tenant, fingerprints, since)
        : new Map<string, { jobId: string; ordinal: number }>();
      const firstInJob = new Map<string, number>();
      const requests: StoredRequest[] = config.requests.map((request, ordinal) => {
        const fingerprint = fingerprints[ordinal]!;
        let original = config.deduplicate ? (across.get(fingerprint) ?? null) : null;
        if (config.deduplicate && !original) {
          const first = firstInJob.get(fingerprint);
          if (first === undefined) firstInJob.set(fingerprint, ordinal);
          else original = { jobId, ordinal: first };
        }
        return {
          ordinal,
          customId: request.custom_id,
          params: request.params,
          fingerprint,
          original,
        };
      });
      const duplicates = requests.filter((r) => r.original).length;
      const at = now.toISOString();
      const timeoutMs = config.timeoutMs ?? options.defaultTimeoutMs;
      const events: JobEvent[] = [
        {
          type: 'JobCreated',
          data: {
            jobId,
            tenant,
            priority: config.priority ?? options.defaultPriority,
            tags: config.tags ?? [],
            metadata: config.metadata ?? {},
            deduplicate: config.deduplicate,
            timeoutMs,
            callbackUrl: config.callbackUrl ?? null,
            idempotencyKey: config.idempotencyKey ?? null,
            configHash,
            totalRequests: requests.length,
            uniqueRequests: requests.length - duplicates,
            deduplicatedRequests: duplicates,
            createdAt: at,
            expiresAt: new Date(now.getTime() + timeoutMs).toISOString(),
          },
        },
        { type: 'JobQueued', data: { at } },
      ];
      await insertJobRequests(trx, tenant, jobId, requests, now);
      // Held from the count to the commit only: a job of 100k requests does not stall every
      // other createJob while its rows are written.
      await sql`select pg_advisory_xact_lock(${QUEUE_LOCK_KEY})`.execute(trx);
      await assertQueueHasRoom(trx, options.maxQueueSize);
      const job = await commitJobEvents(trx, undefined, events, context, 'create');
      await deps.onJobCreated?.(trx, job.state, config);
      await notifyJobWakeup(trx, null);
      return job;
    });
  let created: HydratedJob;
  try {
    created = await create();
  } catch (error) {
    // Two requests with one Idempotency-Key at the same moment: the second finds the first's job.
    if (config.idempotencyKey && isUniqueViolation(error)) {
      const existing = await findByIdempotencyKey(db, tenant, config.idempotencyKey, sameConfig);
      if (existing) return { state: existing, created: false };
    }
    throw error;
  }
  return { state: created.state, created: true };
}

/** Until the transaction ends, no other job of the tenant is created; other tenants' are. */
export async function lockTenantJobCreation(trx: Trx, tenant: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(${TENANT_CREATE_LOCK}, hashtext(${tenant}))`.execute(trx);
}

async function assertQueueHasRoom(trx: Trx, maxQueueSize: number): Promise<void> {
  const waiting = await trx
    .selectFrom('jobs')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', 'in', ['pending', 'queued'])
    .executeTakeFirstOrThrow();
  if (Number(waiting.n) >= maxQueueSize) throw new QueueFullError(maxQueueSize);
}

async function findByIdempotencyKey(
  db: Db,
  tenant: string,
  key: string,
  sameConfig: (storedHash: string) => boolean,
): Promise<JobState | undefined> {
  const row = await db
    .selectFrom('jobs')
    .select('id')
    .where('tenant', '=', tenant)
    .where('idempotency_key', '=', key)
    .executeTakeFirst();
  if (!row) return undefined;
  const job = await loadJob(db, row.id);
  if (!job) return undefined;
  const created = (await firstEventData(db, row.id)) as { configHash?: string } | undefined;
  if (created?.configHash !== undefined && !sameConfig(created.configHash)) {
    throw new IdempotencyConflictError(
      `Idempotency-Key "${key}" was already used for a different job`,
    );
  }
  return job.state;
}

async function firstEventData(db: Db, jobId: string): Promise<unknown> {
  const row = await db
    .selectFrom('events')
    .select('data')
    .where('stream_id', '=', jobId)
    .where('version', '=', 1)
    .executeTakeFirst();
  return row?.data;
}

function isUniqueViolation(error: unknown): boolean {
  return (
    typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505'
  );
}

const FINGERPRINTS_PER_TURN = 2_000;

/**
 * Every request's fingerprint, a slice at a time: hashing 100k requests takes over a second,
 * and the HTTP server shares this thread with every other caller.
 */
async function fingerprintRequests(config: JobConfig): Promise<string[]> {
  const fingerprints: string[] = [];
  for (let i = 0; i < config.requests.length; i += FINGERPRINTS_PER_TURN) {
    if (i > 0) await setImmediate();
    for (const request of config.requests.slice(i, i + FINGERPRINTS_PER_TURN)) {
      fingerprints.push(fingerprintParams(request.params));
    }
  }
  return fingerprints;
}
