import { CompiledQuery } from 'kysely';
import { PreparedStatement } from './prepared-statements.js';
import type { EventRow } from './schema/index.js';

export type AppendedRow = Pick<
  EventRow,
  'position' | 'version' | 'recorded_at' | 'transaction_id'
> & {
  /** null when the stream's previous event is not chained yet (see migrations/0010). */
  hash: Uint8Array | null;
};

/** Appends of up to this many events are prepared statements; longer ones are rare. */
const MOST_EVENTS_PREPARED = 8;

/**
 * How an append links to its stream's head: with the hash the application knows ('given':
 * the stream is new, or this process wrote or read its head; the hashes are computed in the
 * application), or by reading the head in the statement ('read').
 */
export type AppendLink = 'given' | 'read';

const prepared = new Map<string, PreparedStatement<AppendedRow>>();

/**
 * The append as one INSERT, which also links each event into its stream's hash chain.
 * Parameters, in order: stream id, metadata JSON, expected version, recorded-at, then each
 * event's type and data JSON, and then: 'read', its link text (src/store/event-chain.ts);
 * 'given', its hash and its previous hash (bytea, null for a stream's first event).
 */
export function appendStatement(
  count: number,
  parameters: unknown[],
  link: AppendLink = 'read',
): CompiledQuery<AppendedRow> {
  const text = () => (link === 'read' ? appendText(count) : givenLinksText(count));
  if (count > MOST_EVENTS_PREPARED) {
    return CompiledQuery.raw(text(), parameters) as CompiledQuery<AppendedRow>;
  }
  const key = `${count}${link === 'read' ? '' : '_linked'}`;
  let statement = prepared.get(key);
  if (!statement) {
    statement = new PreparedStatement(`batchkeeper_append_${key}`, text());
    prepared.set(key, statement);
  }
  return statement.bind(parameters);
}

/**
 * Every link given: a plain INSERT. The foreign key refuses a previous hash that is not the
 * stored head's (or a version the stream has not reached), as it refuses a forged row.
 */
function givenLinksText(count: number): string {
  const rows = Array.from({ length: count }, (_, i) => {
    const first = 5 + i * 4;
    return `($1, $3::int + ${i + 1}, $${first}, $${first + 1}::jsonb, $2::jsonb, $4::timestamptz, $${first + 2}::bytea, $${first + 3}::bytea)`;
  });
  return `insert into events (stream_id, version, type, data, metadata, recorded_at, hash, previous_hash)
values ${rows.join(',\n')}
returning position, version, recorded_at, transaction_id, hash`;
}

/**
 * `h0` is the hash the first new event links to: none ('') for a stream's first event, else
 * the stored head's, read here so that no writer can choose it. A head that does not exist (a
 * version the stream has not reached) gives `\x00`, a hash no event has, so the foreign key
 * refuses the append; an unchained head (an event from before 0010; `\x01` in `head`) gives
 * null hashes, which the chaining of old events fills. Each `hN` chains on `hN-1`, so the
 * events of one append link to each other.
 */
function appendText(count: number): string {
  // One row in, lateral steps out: no CTE to materialise on the hot path.
  const steps = [
    `(select coalesce(
       (select coalesce(hash, '\\x01'::bytea) from events where stream_id = $1 and version = $3::int),
       '\\x00'::bytea) as hash) head`,
    `lateral (select case when $3::int = 0 then ''::bytea
       when head.hash = '\\x01'::bytea then null else head.hash end as hash) h0`,
  ];
  const rows: string[] = [];
  for (let i = 1; i <= count; i++) {
    const first = 5 + (i - 1) * 3;
    const [type, data, link] = [`$${first}`, `$${first + 1}::jsonb`, `$${first + 2}`];
    steps.push(
      `lateral (select sha256(h${i - 1}.hash || convert_to(${link}, 'UTF8')) as hash) h${i}`,
    );
    const previous = i === 1 ? `nullif(h0.hash, ''::bytea)` : `h${i - 1}.hash`;
    rows.push(
      `($1, $3::int + ${i}, ${type}, ${data}, $2::jsonb, $4::timestamptz, h${i}.hash, ${previous})`,
    );
  }
  return `insert into events (stream_id, version, type, data, metadata, recorded_at, hash, previous_hash)
select v.* from ${steps.join(',\n')},
lateral (values ${rows.join(',\n')}) as v
returning position, version, recorded_at, transaction_id, hash`;
}
