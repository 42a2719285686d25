import { NotFoundError } from '../domain/errors.js';
import { batchResultRows } from '../store/audit/batch-result-rows.js';
import { readAuditEvents } from '../store/audit/read-audit-events.js';
import type { DbOrTrx } from '../store/schema/index.js';
import { type ExportLine, exportLine } from './audit-export.js';

/**
 * A job's log as a self-contained NDJSON export: a header (version, chain head), the events
 * with their hashes, then the stored results of every batch a results event accounts for, so
 * `audit verify --file` can check all of it with no database. Yields one line at a time. With
 * `scope.tenant` (the HTTP API), another tenant's job is a NotFoundError.
 */
export async function* exportJobLines(
  db: DbOrTrx,
  jobId: string,
  batchkeeperVersion: string,
  scope: { tenant?: string | undefined } = {},
): AsyncGenerator<string> {
  const events = await readAuditEvents(db, jobId);
  if (events.length === 0) throw new NotFoundError(`job ${jobId} has no events`);
  // Another tenant's job is one that does not exist, as everywhere in the API.
  if (scope.tenant !== undefined && events[0]!.metadata.tenant !== scope.tenant) {
    throw new NotFoundError(`job ${jobId} not found`);
  }
  const batchKeys = events.flatMap((event) => {
    const { batchKey, resultsDigest } = (event.data ?? {}) as Record<string, unknown>;
    return event.type === 'BatchResultsCollected' &&
      typeof batchKey === 'string' &&
      typeof resultsDigest === 'string'
      ? [batchKey]
      : [];
  });
  const last = events.at(-1)!;
  const header: ExportLine = {
    kind: 'batchkeeper.audit-export',
    format: 1,
    batchkeeperVersion,
    jobId,
    head: { version: last.version, hash: last.hash },
    events: events.length,
  };
  yield exportLine(header);
  for (const event of events) yield exportLine({ kind: 'event', ...event });
  for (const batchKey of batchKeys) {
    for await (const row of batchResultRows(db, jobId, batchKey)) {
      yield exportLine({ kind: 'result', ...row });
    }
  }
}
