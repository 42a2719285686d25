/** Who wrote an event and why: stored beside every event. */
export interface EventMetadata {
  /** The instance that appended the event. */
  instanceId: string;
  /** The tenant the stream belongs to. */
  tenant: string;
  /** Ties together every event caused by one outside request. */
  correlationId?: string | undefined;
  /** The event or command that directly caused this one. */
  causationId?: string | undefined;
  [key: string]: unknown;
}

/** An event to append: its past-tense type and its data. */
export interface NewEvent<Type extends string = string, Data = unknown> {
  type: Type;
  data: Data;
}

/** An event as stored in the log. */
export interface RecordedEvent<Type extends string = string, Data = unknown> {
  position: number;
  streamId: string;
  version: number;
  type: Type;
  data: Data;
  metadata: EventMetadata;
  recordedAt: Date;
  /** The writing transaction's id (pg_current_xact_id()). */
  transactionId: number;
  /**
   * The event's link in its stream's hash chain, hex (docs/audit.md); null for an event not
   * chained yet, absent where the reader did not ask for it.
   */
  hash?: string | null | undefined;
}

/**
 * A point in the log in commit-safe order: events are read by
 * (transaction id, position), never by position alone.
 */
export interface LogPosition {
  transactionId: number;
  position: number;
}

/** Before the first event. */
export const LOG_START: LogPosition = { transactionId: 0, position: 0 };

/** The stream version an append expects: a number (0 = no stream yet) or 'any'. */
export type ExpectedVersion = number | 'any';

export interface AppendResult {
  /** The stream's version after the append. */
  nextVersion: number;
  /** The events as written. */
  events: RecordedEvent[];
}
