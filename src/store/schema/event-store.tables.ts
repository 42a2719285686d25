import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

/** One row per event; never updated, never deleted. */
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
