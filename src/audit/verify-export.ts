import { ValidationError } from '../domain/errors.js';
import type { AuditEvent } from './audit-event.js';
import type { ExportHeader } from './audit-export.js';
import { type DigestedResult, ResultsDigest } from './results-digest.js';
import { type StreamVerdict, verifyStream } from './verify-stream.js';

export interface ExportVerdict {
  header: ExportHeader;
  verdict: StreamVerdict;
}

/**
 * Verifies an export (the lines of `audit export`) with no database: the chain, the results
 * against the digests their events carry, the replay through the job machine, and that the
 * events still reach the head the header names. A line that is not part of an export is a
 * ValidationError naming its line number.
 */
export async function verifyExport(
  lines: AsyncIterable<string> | Iterable<string>,
): Promise<ExportVerdict> {
  let header: ExportHeader | undefined;
  const events: AuditEvent[] = [];
  const digests = new Map<string, ResultsDigest>();
  let number = 0;
  for await (const text of lines) {
    number += 1;
    if (text.trim() === '') continue;
    let line: Record<string, unknown>;
    try {
      line = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw notAnExport(number, 'not JSON');
    }
    if (header === undefined) {
      if (line.kind !== 'batchkeeper.audit-export' || line.format !== 1) {
        throw notAnExport(number, 'the first line is not an audit export header (format 1)');
      }
      header = line as unknown as ExportHeader;
      continue;
    }
    if (line.kind === 'event') {
      const { kind: _, ...event } = line;
      events.push(event as unknown as AuditEvent);
    } else if (line.kind === 'result') {
      const { kind: _, ...result } = line;
      const row = result as unknown as DigestedResult;
      if (typeof row.batchKey !== 'string')
        throw notAnExport(number, 'a result without a batchKey');
      const digest = digests.get(row.batchKey) ?? new ResultsDigest();
      digest.add(row);
      digests.set(row.batchKey, digest);
    } else {
      throw notAnExport(number, `unknown kind ${JSON.stringify(line.kind)}`);
    }
  }
  if (!header) throw notAnExport(1, 'the file is empty');
  const pinned = header.head?.hash
    ? { version: header.head.version, hash: header.head.hash }
    : undefined;
  const verdict = verifyStream(header.jobId, events, {
    storedResultsDigest: (batchKey) =>
      digests.get(batchKey)?.digest() ?? new ResultsDigest().digest(),
    pinnedHead: pinned,
  });
  return { header, verdict };
}

function notAnExport(line: number, reason: string): ValidationError {
  return new ValidationError(`line ${line} of the export: ${reason}`, [
    { path: `line ${line}`, message: reason },
  ]);
}
