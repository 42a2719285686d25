import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

/** One row per event; never deleted, updated only to chain an event written before 0010. */
export interface EventsTable {
  position: Generated<number>;
  stream_id: string;
  version: number;
  type: string;
  data: ColumnType<unknown, string, never>;
  metadata: ColumnType<unknown, string, never>;
  recorded_at: ColumnType<Date, Date | string | undefined, never>;
  /** The writing transaction's xid8, as a number. */
  transaction_id: ColumnType<number, never, never>;
  /** SHA-256 of the previous event's hash and this event's link text (docs/audit.md); null: not chained yet. */
  hash: ColumnType<Uint8Array | null, never, Uint8Array>;
  previous_hash: ColumnType<Uint8Array | null, never, Uint8Array | null>;
  previous_version: ColumnType<number | null, never, never>;
}

export interface SubscriptionCheckpointsTable {
  name: string;
  transaction_id: number;
  position: number;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface EventStoreTables {
  events: EventsTable;
  subscription_checkpoints: SubscriptionCheckpointsTable;
}

export type EventRow = Selectable<EventsTable>;
export type NewEventRow = Insertable<EventsTable>;
