import { IllegalTransitionError } from '../domain/errors.js';
import type { JobEvent } from '../domain/job.events.js';
import type { JobState } from '../domain/job.state.js';
import { appendToStream, readStream } from '../store/event-store.js';
import { projectJobEvent } from '../store/jobs/project-job.js';
import type { DbOrTrx, Trx } from '../store/schema/index.js';
import { finalizeEndedJob } from './finalize-ended-job.js';
import { applyEvents, emptySnapshot, type HydratedJob, stepOf } from './job-snapshot.js';

/** What one commit changed: handed to hooks inside the transaction (webhook outbox...). */
export interface JobChange {
  before: JobState | null;
  after: JobState;
  events: readonly JobEvent[];
  step: string | null;
  version: number;
}

/** Who is writing, for event metadata, and what else must commit with the events. */
export interface CommitContext {
  instanceId: string;
  correlationId?: string | undefined;
  causationId?: string | undefined;
  /** Runs inside the transaction after the events and projections are written. */
  onChange?: ((trx: Trx, change: JobChange) => Promise<void>) | undefined;
}

/** Rebuilds a job from its events (pure replay); undefined when it has none. */
export async function loadJob(db: DbOrTrx, jobId: string): Promise<HydratedJob | undefined> {
  const recorded = await readStream(db, jobId);
  if (recorded.length === 0) return undefined;
  const snapshot = applyEvents(
    emptySnapshot(),
    recorded.map((e) => ({ type: e.type, data: e.data }) as JobEvent),
  );
  return { snapshot, state: snapshot.context.job!, version: recorded.at(-1)!.version };
}

/**
 * Appends events to a job's stream at the version it was loaded at, after the
 * machine has accepted each of them, and updates the read models in the same
 * transaction. A refused event is an IllegalTransitionError (nothing written);
 * a stale version is a ConcurrencyError.
 */
export async function commitJobEvents(
  trx: Trx,
  job: HydratedJob | undefined,
  events: readonly JobEvent[],
  context: CommitContext,
  command = events[0]?.type ?? 'change',
): Promise<HydratedJob> {
  // Writers of one job queue on its row before touching the log, so two of
  // them never hold each other's locks (the loser then fails on the version).
  if (job)
    await trx.selectFrom('jobs').select('id').where('id', '=', job.state.id).forUpdate().execute();
  let snapshot = job?.snapshot ?? emptySnapshot();
  const snapshots = events.map((event) => {
    if (!snapshot.can(event)) throw new IllegalTransitionError(command, job?.state.status ?? 'new');
    snapshot = applyEvents(snapshot, [event]);
    return snapshot;
  });
  const state = snapshot.context.job!;
  const appended = await appendToStream(trx, state.id, job?.version ?? 0, events, {
    instanceId: context.instanceId,
    tenant: state.tenant,
    correlationId: context.correlationId,
    causationId: context.causationId,
  });
  let before = job?.state ?? null;
  for (const [i, event] of events.entries()) {
    const after = snapshots[i]!.context.job!;
    await projectJobEvent(
      trx,
      before,
      event,
      after,
      stepOf(snapshots[i]!),
      appended.events[i]!.version,
    );
    before = after;
  }
  const step = stepOf(snapshot);
  if (job && job.state.status !== state.status) {
    // Every request of a job that has ended has exactly one final outcome.
    await finalizeEndedJob(trx, state, new Date(state.updatedAt));
  }
  const hydrated: HydratedJob = {
    snapshot,
    state: snapshot.context.job!,
    version: appended.nextVersion,
  };
  await context.onChange?.(trx, {
    before: job?.state ?? null,
    after: hydrated.state,
    events,
    step,
    version: hydrated.version,
  });
  return hydrated;
}
