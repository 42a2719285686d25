import { VERSION_SENT_BEFORE_IT_WAS_RECORDED } from './anthropic-api/api-version.js';
import { ConflictError } from './errors.js';
import { JOB_EVENT_TYPES, type JobEvent } from './job.events.js';

/**
 * The version of the event shapes this code writes, kept in every event's
 * metadata (`schemaVersion`; events written before it was kept are 1). Raise
 * it when an event's shape changes, and add an upcaster that brings the older
 * shape to the new one, so old and new instances can share one log.
 *
 * 2: BatchEnded may carry `resultsUrl`; JobStarted names its instance as the job's owner.
 * 3: JobCreated records the job's `anthropicVersion`.
 */
export const EVENT_SCHEMA_VERSION = 3;

/** An event as it comes out of the log, before it is known to be one of ours. */
export interface StoredJobEvent {
  type: string;
  data: unknown;
  schemaVersion: number;
}

/** A job's log holds an event this version cannot read: written by a newer instance. */
export class UnknownJobEventError extends ConflictError {
  constructor(
    readonly jobId: string,
    readonly eventType: string,
    readonly schemaVersion: number,
  ) {
    super(
      `job ${jobId} has a ${eventType} event of schema ${schemaVersion}, newer than this ` +
        `instance knows (${EVENT_SCHEMA_VERSION}); an up-to-date instance can handle it`,
    );
  }
}

type Upcaster = { type: string; before: number; upcast: (data: unknown) => unknown };

/** Older shapes, each brought one schema step forward (applied in order). */
const UPCASTERS: readonly Upcaster[] = [
  {
    // Schema 1 had no resultsUrl: the results are then found by asking for the batch.
    type: 'BatchEnded',
    before: 2,
    upcast: (data) => ({ resultsUrl: undefined, ...(data as object) }),
  },
  {
    // Before schema 3 no version was set: the SDK sent its default header.
    type: 'JobCreated',
    before: 3,
    upcast: (data) => ({
      anthropicVersion: VERSION_SENT_BEFORE_IT_WAS_RECORDED,
      ...(data as object),
    }),
  },
];

/** The event in the shape this version works with; a newer writer's event is an error. */
export function upcastJobEvent(jobId: string, event: StoredJobEvent): JobEvent {
  if (!JOB_EVENT_TYPES.has(event.type) || event.schemaVersion > EVENT_SCHEMA_VERSION) {
    throw new UnknownJobEventError(jobId, event.type, event.schemaVersion);
  }
  let data = event.data;
  for (const upcaster of UPCASTERS) {
    if (upcaster.type === event.type && event.schemaVersion < upcaster.before) {
      data = upcaster.upcast(data);
    }
  }
  return { type: event.type, data } as JobEvent;
}
