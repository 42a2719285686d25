/** An event as the audit reads it, from the database or from an export (times as ISO strings). */
export interface AuditEvent {
  streamId: string;
  version: number;
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
  /** ISO 8601 with milliseconds, as the link covers it. */
  recordedAt: string;
  /** Hex; null for an event not chained yet. */
  hash: string | null;
  previousHash: string | null;
}

/** What is wrong at the first broken place of a stream. */
export type ChainBreakReason =
  | 'missing-event'
  | 'unchained'
  | 'previous-hash'
  | 'hash'
  | 'results-digest'
  | 'unreadable-event'
  | 'refused-by-machine'
  | 'read-model'
  | 'head';

/** The first place a stream does not verify: which event, what was expected and what was found. */
export interface ChainBreak {
  streamId: string;
  version: number;
  reason: ChainBreakReason;
  expected: string;
  found: string;
  message: string;
}

/** A job's state after one event, for `--steps`. */
export interface AuditStep {
  version: number;
  type: string;
  status: string;
  actor: string | undefined;
}
