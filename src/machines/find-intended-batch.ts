import {
  batchOrdinals,
  countRivalIntents,
  knownBatchIds,
  type OpenIntent,
} from '../store/jobs/batch-intents.js';
import type { DbOrTrx } from '../store/schema/index.js';
import type { BatchApi, RemoteBatch } from './batch-api.port.js';
import { parseSentCustomId } from './job-ids.js';

/** Clocks differ: a batch listed as created this long before the intent may still be its. */
export const CLOCK_SKEW_MS = 5_000;
/** How far back the batch list is read, before the skew filter. */
const LIST_MARGIN_MS = 60_000;

/** What Anthropic's batch list says about an intent recorded without a batch id. */
export type IntentFinding =
  | { kind: 'found'; batchId: string }
  /** No batch there is this intent's: it never reached Anthropic. */
  | { kind: 'absent' }
  /** Batches that may be its are still running; their results will tell. */
  | { kind: 'undecided' };

/**
 * Looks for the batch an intent created: one no job knows, of the intent's
 * size, created after it. When that is ambiguous (several such batches, or
 * another open intent of the same size) a batch is only taken once it has
 * ended and its results' custom_ids name this job and one of the intent's
 * requests, so two jobs never swap batches.
 */
export async function findIntendedBatch(
  deps: { db: DbOrTrx; api: BatchApi },
  intent: OpenIntent,
): Promise<IntentFinding> {
  const known = await knownBatchIds(deps.db);
  const intendedAt = intent.intendedAt.getTime();
  const candidates: RemoteBatch[] = [];
  const listed = deps.api.listAllBatches({
    createdAfter: new Date(intendedAt - LIST_MARGIN_MS),
  });
  for await (const remote of listed) {
    if (known.has(remote.id) || requestTotal(remote) !== intent.requestCount) continue;
    if (Date.parse(remote.created_at) < intendedAt - CLOCK_SKEW_MS) continue;
    candidates.push(remote);
  }
  if (candidates.length === 0) return { kind: 'absent' };
  if (candidates.length === 1 && (await countRivalIntents(deps.db, intent)) === 0) {
    return { kind: 'found', batchId: candidates[0]!.id };
  }
  const ordinals = await batchOrdinals(deps.db, intent.jobId, intent.batchKey);
  for (const remote of candidates.filter((c) => c.processing_status === 'ended')) {
    const sent = await firstSentRequest(deps.api, remote.id);
    if (sent?.jobId === intent.jobId && ordinals.has(sent.ordinal)) {
      return { kind: 'found', batchId: remote.id };
    }
  }
  return candidates.some((c) => c.processing_status !== 'ended')
    ? { kind: 'undecided' }
    : { kind: 'absent' };
}

/** The job and ordinal the first result of an ended batch names (undefined: not one of ours, or none). */
export async function firstSentRequest(
  api: BatchApi,
  batchId: string,
): Promise<{ jobId: string; ordinal: number } | undefined> {
  for await (const line of api.results(batchId)) return parseSentCustomId(line.custom_id);
  return undefined;
}

/** Requests in a batch, whatever became of them. */
export function requestTotal(batch: RemoteBatch): number {
  return Object.values(batch.request_counts).reduce((a, b) => a + b, 0);
}
