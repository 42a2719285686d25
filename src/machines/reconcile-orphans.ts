import { systemActor } from '../domain/actor.js';
import type { Clock } from '../domain/clock.js';
import { ConcurrencyError, IllegalTransitionError } from '../domain/errors.js';
import {
  batchOrdinals,
  knownBatchIds,
  listOpenIntents,
  type OpenIntent,
} from '../store/jobs/batch-intents.js';
import { insertBatchRequests, selectSendableRequests } from '../store/jobs/job-requests.js';
import { isUniqueViolation } from '../store/pg-errors.js';
import type { Db, Trx } from '../store/schema/index.js';
import type { BatchApi, RemoteBatch } from './batch-api.port.js';
import { CLOCK_SKEW_MS, requestTotal } from './find-intended-batch.js';
import { parseSentCustomId } from './job-ids.js';
import type { HydratedJob } from './job-snapshot.js';
import { type CommitContext, commitJobEvents, loadJob } from './job-store.js';

/** What became of a batch at Anthropic that no job knew. */
export type OrphanAction =
  /** Recorded as a job's batch: the one of an unconfirmed intent, or a new one for requests still waiting. */
  | 'adopted'
  /** Its requests already have their outcome or another batch: nothing to take from it. */
  | 'duplicate'
  /** Not sent by batchkeeper (custom_ids not ours, or of no job here): never touched. */
  | 'foreign'
  /** Still running and matched to nothing yet: left alone (see --cancel-orphans). */
  | 'unmatched'
  /** Unmatched and cancelled (--cancel-orphans). */
  | 'cancelled'
  /** Younger than minAgeMs: a live instance may be recording it this moment. */
  | 'too-recent'
  /** The job changed while it was being adopted; run again. */
  | 'raced';

export interface OrphanBatch {
  batchId: string;
  createdAt: string;
  processingStatus: RemoteBatch['processing_status'];
  requestCount: number;
  action: OrphanAction;
  jobId?: string | undefined;
  batchKey?: string | undefined;
  reason: string;
}

export interface ReconcileReport {
  /** Batches Anthropic listed. */
  listed: number;
  /** Of them, the ones some job knows. */
  known: number;
  orphans: OrphanBatch[];
}

export interface ReconcileDeps {
  db: Db;
  api: BatchApi;
  clock: Clock;
  /** Who writes the adoptions (event metadata). */
  instanceId: string;
}

export interface ReconcileOptions {
  /** Cancel orphans that are still running and match nothing (default: false). */
  cancelOrphans?: boolean | undefined;
  /** Leave alone batches younger than this (default: 600000, ten minutes). */
  minAgeMs?: number | undefined;
}

/**
 * Lists the batches at Anthropic that no job knows (ids not in job_batches)
 * and settles each: adopts it for an unconfirmed intent when only that intent
 * can be its (same size, created after it), or, once it has ended, for the
 * job and requests its results' custom_ids name; with `cancelOrphans`
 * cancels the running ones that match nothing. Foreign batches are never touched.
 */
export async function reconcileOrphans(
  deps: ReconcileDeps,
  options: ReconcileOptions = {},
): Promise<ReconcileReport> {
  const known = await knownBatchIds(deps.db);
  const listed: RemoteBatch[] = [];
  for await (const remote of deps.api.listAllBatches({})) listed.push(remote);
  const orphans = listed.filter((b) => !known.has(b.id));
  const intents = await listOpenIntents(deps.db);
  const minAgeMs = options.minAgeMs ?? 600_000;
  const settled: OrphanBatch[] = [];
  for (const remote of orphans) {
    const base = {
      batchId: remote.id,
      createdAt: remote.created_at,
      processingStatus: remote.processing_status,
      requestCount: requestTotal(remote),
    };
    if (deps.clock.now().getTime() - Date.parse(remote.created_at) < minAgeMs) {
      settled.push({ ...base, action: 'too-recent', reason: `younger than ${minAgeMs} ms` });
      continue;
    }
    let outcome = await settleOrphan(deps, remote, orphans, intents);
    if (outcome.action === 'unmatched' && options.cancelOrphans) {
      await deps.api.cancelBatch(remote.id);
      outcome = { ...outcome, action: 'cancelled' };
    }
    settled.push({ ...base, ...outcome });
  }
  return { listed: listed.length, known: listed.length - orphans.length, orphans: settled };
}

type Outcome = Pick<OrphanBatch, 'action' | 'jobId' | 'batchKey' | 'reason'>;

async function settleOrphan(
  deps: ReconcileDeps,
  remote: RemoteBatch,
  orphans: readonly RemoteBatch[],
  intents: readonly OpenIntent[],
): Promise<Outcome> {
  const mayBe = (intent: OpenIntent, batch: RemoteBatch) =>
    intent.requestCount === requestTotal(batch) &&
    Date.parse(batch.created_at) >= intent.intendedAt.getTime() - CLOCK_SKEW_MS;
  const candidates = intents.filter((i) => mayBe(i, remote));
  const only = candidates.length === 1 ? candidates[0]! : undefined;
  if (only && orphans.filter((o) => mayBe(only, o)).length === 1) {
    return adoptForIntent(deps, remote, only, 'the only unconfirmed intent of its size');
  }
  if (remote.processing_status !== 'ended') {
    return {
      action: 'unmatched',
      reason:
        candidates.length > 1
          ? `${candidates.length} intents of its size: its results will tell once it ends`
          : 'no unconfirmed intent of its size',
    };
  }
  const sent = await sentRequestsOf(deps.api, remote.id);
  if (!sent || !(await loadJob(deps.db, sent.jobId))) {
    return { action: 'foreign', reason: 'its custom_ids name no job here' };
  }
  for (const intent of candidates.filter((i) => i.jobId === sent.jobId)) {
    const ordinals = await batchOrdinals(deps.db, intent.jobId, intent.batchKey);
    if ([...sent.ordinals].every((o) => ordinals.has(o))) {
      return adoptForIntent(deps, remote, intent, 'its results are the intent’s requests');
    }
  }
  return adoptForWaitingRequests(deps, remote, sent);
}

/** Records the batch as the one the intent created. */
async function adoptForIntent(
  deps: ReconcileDeps,
  remote: RemoteBatch,
  intent: OpenIntent,
  reason: string,
): Promise<Outcome> {
  const where = { jobId: intent.jobId, batchKey: intent.batchKey };
  return commitAdoption(deps, where, async (trx, job) => {
    const batch = job.state.batches.find(
      (b) => b.batchKey === intent.batchKey && b.status === 'intended',
    );
    if (!batch) return undefined;
    await commitJobEvents(
      trx,
      job,
      [{ type: 'BatchSubmitted', data: { ...submitted(deps, remote), batchKey: batch.batchKey } }],
      context(deps),
    );
    return { action: 'adopted', ...where, reason };
  });
}

/** Records the batch as a new one of the job, for those of its requests that still wait. */
async function adoptForWaitingRequests(
  deps: ReconcileDeps,
  remote: RemoteBatch,
  sent: { jobId: string; ordinals: Set<number> },
): Promise<Outcome> {
  return commitAdoption(deps, { jobId: sent.jobId, batchKey: undefined }, async (trx, job) => {
    const state = job.state;
    if (state.status !== 'processing' || state.batches.some((b) => b.status === 'intended')) {
      return { action: 'duplicate', jobId: state.id, reason: `its job is ${state.status}` };
    }
    const waiting = (await selectSendableRequests(trx, state.id, Number.MAX_SAFE_INTEGER))
      .map((r) => r.ordinal)
      .filter((ordinal) => sent.ordinals.has(ordinal));
    if (waiting.length === 0) {
      return {
        action: 'duplicate',
        jobId: state.id,
        reason: 'its requests already have an outcome or another batch',
      };
    }
    const batchKey = `b${state.batches.length + 1}`;
    await insertBatchRequests(trx, state.id, batchKey, waiting);
    const at = deps.clock.now().toISOString();
    await commitJobEvents(
      trx,
      job,
      [
        {
          type: 'BatchSubmissionIntended',
          data: { batchKey, attempt: state.retryCount + 1, requestCount: waiting.length, at },
        },
        { type: 'BatchSubmitted', data: { ...submitted(deps, remote), batchKey } },
      ],
      context(deps),
    );
    return {
      action: 'adopted',
      jobId: state.id,
      batchKey,
      reason: `holds ${waiting.length} of its job’s requests still waiting to be sent`,
    };
  });
}

/**
 * Loads the job and runs `adopt` in one transaction; a job that moved on
 * meanwhile (its version, or the batch id taken by another) is a 'raced'.
 */
async function commitAdoption(
  deps: ReconcileDeps,
  where: { jobId: string; batchKey: string | undefined },
  adopt: (trx: Trx, job: HydratedJob) => Promise<Outcome | undefined>,
): Promise<Outcome> {
  try {
    const outcome = await deps.db.transaction().execute(async (trx) => {
      const job = await loadJob(trx, where.jobId);
      return job ? adopt(trx, job) : undefined;
    });
    return outcome ?? { action: 'raced', ...where, reason: 'the job no longer waits for it' };
  } catch (error) {
    if (
      error instanceof ConcurrencyError ||
      error instanceof IllegalTransitionError ||
      isUniqueViolation(error)
    ) {
      return { action: 'raced', ...where, reason: String(error) };
    }
    throw error;
  }
}

/** The job and ordinals an ended batch's results name; undefined unless they all name one job. */
async function sentRequestsOf(
  api: BatchApi,
  batchId: string,
): Promise<{ jobId: string; ordinals: Set<number> } | undefined> {
  let jobId: string | undefined;
  const ordinals = new Set<number>();
  for await (const line of api.results(batchId)) {
    const sent = parseSentCustomId(line.custom_id);
    if (!sent || (jobId !== undefined && sent.jobId !== jobId)) return undefined;
    jobId = sent.jobId;
    ordinals.add(sent.ordinal);
  }
  return jobId === undefined ? undefined : { jobId, ordinals };
}

function submitted(deps: ReconcileDeps, remote: RemoteBatch) {
  return { batchId: remote.id, at: deps.clock.now().toISOString(), adopted: true };
}

function context(deps: ReconcileDeps): CommitContext {
  return { instanceId: deps.instanceId, actor: systemActor('reconciler') };
}
