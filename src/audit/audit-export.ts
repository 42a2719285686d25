import type { AuditEvent } from './audit-event.js';
import type { DigestedResult } from './results-digest.js';

/** The first line of an export: what it is, who wrote it, and the chain head it ends at. */
export interface ExportHeader {
  kind: 'batchkeeper.audit-export';
  format: 1;
  batchkeeperVersion: string;
  jobId: string;
  /** The stream's last event as exported: keep it to pin the chain (docs/audit.md). */
  head: { version: number; hash: string | null } | null;
  events: number;
}

export type ExportLine =
  | ExportHeader
  | ({ kind: 'event' } & AuditEvent)
  | ({ kind: 'result' } & DigestedResult);

/** One NDJSON line (no newline). */
export function exportLine(line: ExportLine): string {
  return JSON.stringify(line);
}
