import { CompiledQuery } from 'kysely';
import { PreparedStatement } from './prepared-statements.js';
import type { EventRow } from './schema/index.js';

/** What varies between appends' SQL: how many events, after which version, and when. */
export interface AppendShape {
  count: number;
  /** After the caller's expected version, or after whatever the newest is ('any'). */
  after: 'expected' | 'newest';
  /** Stamped now() by the database, or at a time the caller gives. */
  recordedAt: 'now' | 'given';
}

export type AppendedRow = Pick<EventRow, 'position' | 'version' | 'recorded_at' | 'transaction_id'>;

/** Appends of up to this many events are prepared statements; longer ones are rare. */
const MOST_EVENTS_PREPARED = 8;

const prepared = new Map<string, PreparedStatement<AppendedRow>>();

/**
 * The append as one INSERT. Parameters, in order: stream id, metadata JSON,
 * expected version (unless after the newest), recorded-at (if given), then
 * each event's type and data JSON.
 */
export function appendStatement(
  shape: AppendShape,
  parameters: unknown[],
): CompiledQuery<AppendedRow> {
  if (shape.count > MOST_EVENTS_PREPARED) {
    return CompiledQuery.raw(appendText(shape), parameters) as CompiledQuery<AppendedRow>;
  }
  const key = `${shape.count}_${shape.after}_${shape.recordedAt}`;
  let statement = prepared.get(key);
  if (!statement) {
    statement = new PreparedStatement(`batchkeeper_append_${key}`, appendText(shape));
    prepared.set(key, statement);
  }
  return statement.bind(parameters);
}

function appendText({ count, after, recordedAt }: AppendShape): string {
  let next = 3;
  const base =
    after === 'expected'
      ? `$${next++}::int`
      : 'coalesce((select version from events where stream_id = $1 order by version desc limit 1), 0)';
  const at = recordedAt === 'given' ? `$${next++}::timestamptz` : 'now()';
  const rows = Array.from({ length: count }, (_, i) => {
    const type = `$${next++}`;
    const data = `$${next++}::jsonb`;
    return `($1, ${base} + ${i + 1}, ${type}, ${data}, $2::jsonb, ${at})`;
  });
  return `insert into events (stream_id, version, type, data, metadata, recorded_at)
values ${rows.join(', ')}
returning position, version, recorded_at, transaction_id`;
}
