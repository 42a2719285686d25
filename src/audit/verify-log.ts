import {
  auditStreamIds,
  readAuditEvents,
  readJobReadModel,
} from '../store/audit/read-audit-events.js';
import type { DbOrTrx } from '../store/schema/index.js';
import type { AuditEvent, ChainBreak } from './audit-event.js';
import { storedBatchResultsDigest } from './batch-results-digest.js';
import { type StreamVerdict, verifyStream } from './verify-stream.js';

export interface AuditReport {
  streams: number;
  events: number;
  /** The first break of each stream that has one. */
  broken: ChainBreak[];
  verdicts: StreamVerdict[];
}

/**
 * Verifies streams in the database (the given jobs, or all, or a tenant's): their chains,
 * the stored results their events account for, the replay through the job machine, and the
 * read models. Reads one stream at a time.
 */
export async function verifyLog(
  db: DbOrTrx,
  filter: { jobIds?: readonly string[] | undefined; tenant?: string | undefined } = {},
): Promise<AuditReport> {
  const streamIds = await auditStreamIds(db, { streamIds: filter.jobIds, tenant: filter.tenant });
  const report: AuditReport = { streams: 0, events: 0, broken: [], verdicts: [] };
  for (const streamId of streamIds) {
    const events = await readAuditEvents(db, streamId);
    const verdict =
      events.length === 0
        ? notFound(streamId)
        : verifyStream(streamId, events, {
            storedResultsDigest: await storedDigests(db, streamId, events),
            readModel: await readJobReadModel(db, streamId),
          });
    report.streams += 1;
    report.events += verdict.events;
    if (verdict.broken) report.broken.push(verdict.broken);
    report.verdicts.push(verdict);
  }
  return report;
}

/** The stored results' digest of every batch whose results event carries one. */
async function storedDigests(
  db: DbOrTrx,
  jobId: string,
  events: readonly AuditEvent[],
): Promise<(batchKey: string) => string | undefined> {
  const digests = new Map<string, string>();
  for (const event of events) {
    if (event.type !== 'BatchResultsCollected') continue;
    const { batchKey, resultsDigest } = event.data as {
      batchKey?: unknown;
      resultsDigest?: unknown;
    };
    if (typeof batchKey !== 'string' || typeof resultsDigest !== 'string') continue;
    digests.set(batchKey, (await storedBatchResultsDigest(db, jobId, batchKey)).digest);
  }
  return (batchKey) => digests.get(batchKey);
}

function notFound(streamId: string): StreamVerdict {
  return {
    streamId,
    events: 0,
    head: null,
    steps: [],
    broken: {
      streamId,
      version: 1,
      reason: 'missing-event',
      expected: 'version 1',
      found: 'no events',
      message: `job ${streamId} has no events`,
    },
  };
}
