import { purgeJobPayloads } from '../audit/purge-job-results.js';
import type { Actor } from '../domain/actor.js';
import { IllegalTransitionError } from '../domain/errors.js';
import type { JobEvent } from '../domain/job.events.js';
import type { JobState } from '../domain/job.state.js';
import {
  EVENT_SCHEMA_VERSION,
  UnknownJobEventError,
  upcastJobEvent,
} from '../domain/job-event.upcast.js';
import { appendToStream, readStream } from '../store/event-store.js';
import type { RecordedEvent } from '../store/event-store.types.js';
import { forgetOriginals } from '../store/jobs/job-requests.js';
import { type ProjectedStep, projectJobRows } from '../store/jobs/project-job.js';
import { projectJobStats } from '../store/jobs/project-job-stats.js';
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
  /** Who caused the events (docs/audit.md): a caller, or the loop of the system that wrote them. */
  actor?: Actor | undefined;
  /** Runs inside the transaction after the events and projections are written. */
  onChange?: ((trx: Trx, change: JobChange) => Promise<void>) | undefined;
}

/** Rebuilds a job from its events (pure replay); undefined when it has none. */
export async function loadJob(db: DbOrTrx, jobId: string): Promise<HydratedJob | undefined> {
  return hydrate(await readStream(db, jobId));
}

/**
 * Jobs rebuilt from the events of several streams (each stream's in version order), as the
 * scheduler's claims read them; a job whose log holds events of a newer writer is left out
 * and named in `unreadable`.
 */
export function hydrateStreams(recorded: readonly RecordedEvent[]): {
  jobs: Map<string, HydratedJob>;
  unreadable: UnknownJobEventError[];
} {
  const byStream = new Map<string, RecordedEvent[]>();
  for (const event of recorded) {
    const events = byStream.get(event.streamId) ?? [];
    events.push(event);
    byStream.set(event.streamId, events);
  }
  const jobs = new Map<string, HydratedJob>();
  const unreadable: UnknownJobEventError[] = [];
  for (const [id, events] of byStream) {
    try {
      jobs.set(id, hydrate(events)!);
    } catch (error) {
      if (!(error instanceof UnknownJobEventError)) throw error;
      unreadable.push(error);
    }
  }
  return { jobs, unreadable };
}

function hydrate(recorded: readonly RecordedEvent[]): HydratedJob | undefined {
  if (recorded.length === 0) return undefined;
  const snapshot = applyEvents(emptySnapshot(), recorded.map(toJobEvent));
  return { snapshot, state: snapshot.context.job!, version: recorded.at(-1)!.version };
}

/** A stored event in this version's shape (upcast); one of a newer writer is UnknownJobEventError. */
export function toJobEvent(recorded: RecordedEvent): JobEvent {
  const schemaVersion = recorded.metadata.schemaVersion;
  return upcastJobEvent(recorded.streamId, {
    type: recorded.type,
    data: recorded.data,
    schemaVersion: typeof schemaVersion === 'number' ? schemaVersion : 1,
  });
}

/**
 * Appends events to a job's stream at the version it was loaded at, after the
 * machine has accepted each of them, and updates the read models in the same
 * transaction, once for the whole commit. A refused event is an
 * IllegalTransitionError (nothing written); a stale version is a
 * ConcurrencyError, raised by the job row's update before the log is touched
 * (see projectJobRows): the version is the fence, so a writer that lost the
 * job to another instance (which appended JobStarted) can write nothing more.
 *
 * `alsoInside` runs in the same transaction once the events are in, before the
 * tenant's totals, which are written last: their row is shared by the tenant's
 * jobs, and its lock is held from that statement to COMMIT.
 */
export async function commitJobEvents(
  trx: Trx,
  job: HydratedJob | undefined,
  events: readonly JobEvent[],
  context: CommitContext,
  command = events[0]?.type ?? 'change',
  alsoInside?: (trx: Trx, committed: HydratedJob) => Promise<void>,
): Promise<HydratedJob> {
  let snapshot = job?.snapshot ?? emptySnapshot();
  let before = job?.state ?? null;
  const steps: ProjectedStep[] = [];
  for (const event of events) {
    if (!snapshot.can(event)) throw new IllegalTransitionError(command, job?.state.status ?? 'new');
    snapshot = applyEvents(snapshot, [event]);
    const after = snapshot.context.job!;
    steps.push({ before, event, after });
    before = after;
  }
  const state = snapshot.context.job!;
  const expectedVersion = job?.version ?? 0;
  const version = expectedVersion + events.length;
  const step = stepOf(snapshot);
  await projectJobRows(trx, steps, step, version, job ? expectedVersion : null);
  await appendToStream(trx, state.id, expectedVersion, events, {
    instanceId: context.instanceId,
    tenant: state.tenant,
    schemaVersion: EVENT_SCHEMA_VERSION,
    correlationId: context.correlationId,
    causationId: context.causationId,
    actor: context.actor,
  });
  if (job && job.state.status !== state.status) {
    // Every request of a job that has ended has exactly one final outcome.
    await finalizeEndedJob(trx, state, new Date(state.updatedAt));
  }
  if (job && state.deleted && !job.state.deleted) {
    await forgetOriginals(trx, state.id);
    // A deleted job's payloads go with it; its events and the digests they hash stay.
    await purgeJobPayloads(trx, state.id);
  }
  const hydrated: HydratedJob = { snapshot, state, version };
  await context.onChange?.(trx, {
    before: job?.state ?? null,
    after: state,
    events,
    step,
    version,
  });
  await alsoInside?.(trx, hydrated);
  await projectJobStats(trx, steps);
  return hydrated;
}
