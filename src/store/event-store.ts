import { sql } from 'kysely';
import { ConcurrencyError, ValidationError } from '../domain/errors.js';
import { type AppendShape, appendStatement } from './append-statement.js';
import type {
  AppendResult,
  EventMetadata,
  ExpectedVersion,
  LogPosition,
  NewEvent,
  RecordedEvent,
} from './event-store.types.js';
import { isForeignKeyViolation, isUniqueViolation } from './pg-errors.js';
import type { DbOrTrx, EventRow, Trx } from './schema/index.js';

/** An event row as readers map it (rowToRecordedEvent). */
export const EVENT_COLUMNS = [
  'position',
  'stream_id',
  'version',
  'type',
  'data',
  'metadata',
  'recorded_at',
  'transaction_id',
] as const;

interface AppendOptions {
  /** When the events happened (default: the database's now()). */
  recordedAt?: Date | undefined;
}

/**
 * Appends events to a stream inside the caller's transaction, so projections,
 * outbox rows and per-request rows commit atomically with them. A stream not
 * at `expectedVersion` fails with ConcurrencyError and writes nothing (the
 * caller's transaction must then roll back).
 *
 * A number is a plain INSERT at expected+1..: the unique (stream_id, version)
 * index refuses a version the stream has passed, and the previous-version
 * foreign key one it has not reached, so no check needs planning here.
 * 'any' appends after the newest version, read in the same statement.
 */
export async function appendToStream(
  trx: Trx,
  streamId: string,
  expectedVersion: ExpectedVersion,
  events: readonly NewEvent[],
  metadata: EventMetadata,
  options: AppendOptions = {},
): Promise<AppendResult> {
  if (events.length === 0) throw new ValidationError('an append needs at least one event');
  const shape: AppendShape = {
    count: events.length,
    after: expectedVersion === 'any' ? 'newest' : 'expected',
    recordedAt: options.recordedAt ? 'given' : 'now',
  };
  const parameters: unknown[] = [streamId, JSON.stringify(metadata)];
  if (expectedVersion !== 'any') parameters.push(expectedVersion);
  if (options.recordedAt) parameters.push(options.recordedAt);
  for (const event of events) parameters.push(event.type, JSON.stringify(event.data ?? null));
  try {
    const result = await trx.executeQuery(appendStatement(shape, parameters));
    const rows = [...result.rows].sort((a, b) => a.version - b.version);
    const recorded = rows.map(
      (row, i): RecordedEvent => ({
        position: Number(row.position),
        streamId,
        version: row.version,
        type: events[i]!.type,
        data: events[i]!.data,
        metadata,
        recordedAt: row.recorded_at,
        transactionId: Number(row.transaction_id),
      }),
    );
    return { nextVersion: recorded.at(-1)!.version, events: recorded };
  } catch (error) {
    if (isVersionConflict(error)) {
      throw new ConcurrencyError(
        streamId,
        typeof expectedVersion === 'number' ? expectedVersion : -1,
      );
    }
    throw error;
  }
}

/** The stream's current version (0 when it has no events). */
export async function streamVersion(db: DbOrTrx, streamId: string): Promise<number> {
  const row = await db
    .selectFrom('events')
    .select((eb) => eb.fn.max('version').as('version'))
    .where('stream_id', '=', streamId)
    .executeTakeFirst();
  return row?.version ?? 0;
}

/** A stream's events in version order, from `fromVersion` (default: 1). */
export async function readStream(
  db: DbOrTrx,
  streamId: string,
  fromVersion = 1,
): Promise<RecordedEvent[]> {
  const rows = await db
    .selectFrom('events')
    .select(EVENT_COLUMNS)
    .where('stream_id', '=', streamId)
    .where('version', '>=', fromVersion)
    .orderBy('version')
    .execute();
  return rows.map(rowToRecordedEvent);
}

/** The data of a stream's event at `version`, or undefined when the stream has not reached it. */
export async function readEventData(
  db: DbOrTrx,
  streamId: string,
  version: number,
): Promise<unknown> {
  const row = await db
    .selectFrom('events')
    .select('data')
    .where('stream_id', '=', streamId)
    .where('version', '=', version)
    .executeTakeFirst();
  return row?.data;
}

/** Every stream the log holds, each once (in no particular order). */
export async function listStreamIds(db: DbOrTrx): Promise<string[]> {
  const rows = await db.selectFrom('events').select('stream_id').distinct().execute();
  return rows.map((row) => row.stream_id);
}

/**
 * Up to `limit` events after `after`, in commit-safe order. Only events of
 * transactions older than every transaction still running are returned, so
 * an event that commits late with a lower position is read later, never skipped.
 */
export async function readAll(
  db: DbOrTrx,
  after: LogPosition,
  limit: number,
): Promise<RecordedEvent[]> {
  const result = await sql<EventRow>`
    select position, stream_id, version, type, data, metadata, recorded_at, transaction_id
    from events
    where (transaction_id, position) > (${after.transactionId}::bigint, ${after.position}::bigint)
      and transaction_id < pg_snapshot_xmin(pg_current_snapshot())::text::bigint
    order by transaction_id, position
    limit ${limit}
  `.execute(db);
  return result.rows.map(rowToRecordedEvent);
}

/** The log position of an event, for checkpoints. */
export function positionOf(event: RecordedEvent): LogPosition {
  return { transactionId: event.transactionId, position: event.position };
}

export function rowToRecordedEvent(row: EventRow): RecordedEvent {
  return {
    position: Number(row.position),
    streamId: row.stream_id,
    version: row.version,
    type: row.type,
    data: row.data,
    metadata: row.metadata as EventMetadata,
    recordedAt: row.recorded_at,
    transactionId: Number(row.transaction_id),
  };
}

/** A version the stream has passed (unique index) or not reached (previous-version foreign key). */
function isVersionConflict(error: unknown): boolean {
  return isUniqueViolation(error) || isForeignKeyViolation(error, 'events_previous_version');
}
