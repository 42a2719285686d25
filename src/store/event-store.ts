import { sql } from 'kysely';
import { ConcurrencyError, ValidationError } from '../domain/errors.js';
import { appendStatement } from './append-statement.js';
import { chainHash, dataDigest, linkText, storedCanonicalJson } from './event-chain.js';
import type {
  AppendResult,
  EventMetadata,
  ExpectedVersion,
  LogPosition,
  NewEvent,
  RecordedEvent,
} from './event-store.types.js';
import { isForeignKeyViolation, isUniqueViolation } from './pg-errors.js';
import type { DbOrTrx, EventRow } from './schema/index.js';
import { forgetHead, knownHead, rememberHead } from './stream-heads.js';

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
  'hash',
] as const;

export interface AppendOptions {
  /**
   * When the events happened (default: the application's clock, now). Kept to the
   * millisecond, the precision the hash chain covers.
   */
  recordedAt?: Date | undefined;
}

/**
 * Appends events to a stream inside the caller's transaction, so projections,
 * outbox rows and per-request rows commit atomically with them. A stream not
 * at `expectedVersion` fails with ConcurrencyError and writes nothing (the
 * caller's transaction must then roll back). Given the database rather than a
 * transaction, the append is its own transaction: one statement, atomic by
 * itself, with no BEGIN and COMMIT to wait for.
 *
 * A number is one INSERT at expected+1..: the unique (stream_id, version)
 * index refuses a version the stream has passed, and the previous-version
 * foreign key one it has not reached, so no check needs planning here. The
 * same statement links each event into the stream's hash chain (docs/audit.md).
 * 'any' reads the newest version first and appends after it (a writer that
 * gets there in between makes it a ConcurrencyError).
 */
export async function appendToStream(
  trx: DbOrTrx,
  streamId: string,
  expectedVersion: ExpectedVersion,
  events: readonly NewEvent[],
  metadata: EventMetadata,
  options: AppendOptions = {},
): Promise<AppendResult> {
  if (events.length === 0) throw new ValidationError('an append needs at least one event');
  const after = expectedVersion === 'any' ? await streamVersion(trx, streamId) : expectedVersion;
  // Milliseconds: what a Date holds, and what an export's ISO time gives back.
  const recordedAt = new Date((options.recordedAt ?? new Date()).getTime());
  const canonicalMetadata = storedCanonicalJson(metadata);
  const links = events.map((event, i) =>
    linkText(
      {
        streamId,
        version: after + i + 1,
        type: event.type,
        dataDigest: dataDigest(event.data),
        recordedAt,
      },
      canonicalMetadata,
    ),
  );
  // The head's hash, when known here, saves reading it in the statement.
  const head = after === 0 ? null : knownHead(streamId, after);
  const parameters: unknown[] = [streamId, JSON.stringify(metadata), after, recordedAt];
  let previous = head ?? null;
  events.forEach((event, i) => {
    parameters.push(event.type, JSON.stringify(event.data ?? null));
    if (head === undefined) {
      parameters.push(links[i]);
    } else {
      const hash = chainHash(previous, links[i]!);
      parameters.push(
        Buffer.from(hash, 'hex'),
        previous === null ? null : Buffer.from(previous, 'hex'),
      );
      previous = hash;
    }
  });
  try {
    const statement = appendStatement(
      events.length,
      parameters,
      head === undefined ? 'read' : 'given',
    );
    const result = await trx.executeQuery(statement);
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
        hash: hexOf(row.hash),
      }),
    );
    rememberHeadOf(streamId, recorded);
    return { nextVersion: recorded.at(-1)!.version, events: recorded };
  } catch (error) {
    if (isVersionConflict(error)) {
      forgetHead(streamId);
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
  const recorded = rows.map(rowToRecordedEvent);
  rememberHeadOf(streamId, recorded);
  return recorded;
}

/**
 * Remembers the newest event of each stream in `events` (read outside readStream, e.g. with a
 * claim), so this process's next append to each links to it without reading it.
 */
export function rememberHeadsOf(events: readonly RecordedEvent[]): void {
  const newest = new Map<string, RecordedEvent>();
  for (const event of events) {
    const seen = newest.get(event.streamId);
    if (!seen || seen.version < event.version) newest.set(event.streamId, event);
  }
  for (const [streamId, event] of newest) rememberHeadOf(streamId, [event]);
}

/** Remembers a stream's newest event, when chained, for the next append after it. */
function rememberHeadOf(streamId: string, events: readonly RecordedEvent[]): void {
  const last = events.at(-1);
  if (last?.hash) rememberHead(streamId, { version: last.version, hash: last.hash });
  else forgetHead(streamId);
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
 * Up to `limit` events after `after` (of one tenant's streams, by event metadata, with
 * `filter.tenant`), in commit-safe order. Only events of transactions older than every
 * transaction still writing to this database are returned (see commitSafeHorizon), so an
 * event that commits late with a lower position is read later, never skipped.
 */
export async function readAll(
  db: DbOrTrx,
  after: LogPosition,
  limit: number,
  filter: { tenant?: string | undefined } = {},
): Promise<RecordedEvent[]> {
  const below = await commitSafeHorizon(db);
  const tenant =
    filter.tenant === undefined ? sql`` : sql`and metadata->>'tenant' = ${filter.tenant}`;
  const result = await sql<EventColumnsRow>`
    select position, stream_id, version, type, data, metadata, recorded_at, transaction_id, hash
    from events
    where (transaction_id, position) > (${after.transactionId}::bigint, ${after.position}::bigint)
      and transaction_id < ${below}::bigint
      ${tenant}
    order by transaction_id, position
    limit ${limit}
  `.execute(db);
  return result.rows.map(rowToRecordedEvent);
}

/**
 * The oldest transaction that may still write to this database (or, when none is running,
 * the next one to start): events of older transactions are all committed or gone. Read in a
 * statement of its own, before the statement that reads the events, so that a transaction
 * ending in between is seen by that later snapshot. Only transactions holding a lock on a
 * relation of this database count (a transaction takes one before its first write gets an
 * id), so a long transaction of another database on the same server does not hold the feed
 * back, as pg_snapshot_xmin would.
 */
export async function commitSafeHorizon(db: DbOrTrx): Promise<string> {
  const { rows } = await sql<{ below: string }>`
    select coalesce(
      (select min(x.transactionid::text::bigint)
       from pg_locks x
       where x.locktype = 'transactionid' and x.pid is distinct from pg_backend_pid()
         and x.mode = 'ExclusiveLock'
         and exists (
           select 1 from pg_locks r
           where r.virtualtransaction = x.virtualtransaction and r.locktype = 'relation'
             and r.database = (select oid from pg_database where datname = current_database()))),
      pg_snapshot_xmax(pg_current_snapshot())::text::bigint)::text as below`.execute(db);
  return rows[0]!.below;
}

/** The log position of an event, for checkpoints. */
export function positionOf(event: RecordedEvent): LogPosition {
  return { transactionId: event.transactionId, position: event.position };
}

/** The columns of EVENT_COLUMNS. */
export type EventColumnsRow = Pick<EventRow, (typeof EVENT_COLUMNS)[number]>;

export function rowToRecordedEvent(row: EventColumnsRow): RecordedEvent {
  return {
    position: Number(row.position),
    streamId: row.stream_id,
    version: row.version,
    type: row.type,
    data: row.data,
    metadata: row.metadata as EventMetadata,
    recordedAt: row.recorded_at,
    transactionId: Number(row.transaction_id),
    hash: hexOf(row.hash),
  };
}

/** A bytea column as hex (pg gives a Buffer, PGlite a Uint8Array). */
export function hexOf(bytes: Uint8Array | null | undefined): string | null {
  return bytes
    ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')
    : null;
}

/**
 * A version the stream has passed (unique index) or not reached (the previous-version and
 * previous-hash foreign key: the append links a missing head to a hash no event has).
 */
function isVersionConflict(error: unknown): boolean {
  return isUniqueViolation(error) || isForeignKeyViolation(error, 'events_previous_version');
}
