import { transition } from 'xstate';
import { describeActor } from '../domain/actor.js';
import { canonicalJson } from '../domain/canonical-json.js';
import type { JobEvent } from '../domain/job.events.js';
import { evolve, type JobState } from '../domain/job.state.js';
import { jobMachine } from '../machines/job.machine.js';
import { emptySnapshot, type JobSnapshot } from '../machines/job-snapshot.js';
import { toJobEvent } from '../machines/job-store.js';
import { chainHash, dataDigest, eventLinkText } from '../store/event-chain.js';
import type { AuditEvent, AuditStep, ChainBreak } from './audit-event.js';

/** What is known beside the stream: stored results' digests, the read model, a pinned head. */
export interface StreamEvidence {
  /** The digest of the results stored for a batch key (undefined: none checked). */
  storedResultsDigest?: ((batchKey: string) => string | undefined) | undefined;
  /** The job's row in the read models (null: no row; undefined: not compared). */
  readModel?: { version: number; status: string } | null | undefined;
  /** A head the auditor kept (an export's header): the stream must still reach it. */
  pinnedHead?: { version: number; hash: string } | undefined;
}

export interface StreamVerdict {
  streamId: string;
  events: number;
  head: { version: number; hash: string | null } | null;
  broken: ChainBreak | undefined;
  /** The job's state after each event that verified. */
  steps: AuditStep[];
}

/**
 * Walks one stream's events as stored (in version order): each must be the next version,
 * link to the previous event's hash, and hash to what it stores; a results event must account
 * for the results stored now; each event must be accepted by the job machine, and the state
 * folded by the machine must equal the one folded by `evolve` alone; at the end the read model
 * must say the same. Stops at the first break. Pure: the caller reads the evidence.
 */
export function verifyStream(
  streamId: string,
  events: readonly AuditEvent[],
  evidence: StreamEvidence = {},
): StreamVerdict {
  const steps: AuditStep[] = [];
  let previous: string | null = null;
  let snapshot: JobSnapshot = emptySnapshot();
  let folded: JobState | null = null;
  const verdict = (broken?: Omit<ChainBreak, 'streamId'>): StreamVerdict => ({
    streamId,
    events: events.length,
    head:
      events.length === 0 ? null : { version: events.at(-1)!.version, hash: events.at(-1)!.hash },
    broken: broken ? { streamId, ...broken } : undefined,
    steps,
  });
  for (const [i, event] of events.entries()) {
    const version = i + 1;
    const linkBroken = checkLink(streamId, event, version, previous);
    if (linkBroken) return verdict(linkBroken);
    previous = event.hash;
    const resultsBreak = checkResultsDigest(event, evidence);
    if (resultsBreak) return verdict(resultsBreak);
    let jobEvent: JobEvent;
    try {
      jobEvent = toJobEvent({
        ...event,
        position: 0,
        transactionId: 0,
        recordedAt: new Date(event.recordedAt),
        metadata: event.metadata as never,
      });
    } catch (error) {
      return verdict({
        version,
        reason: 'unreadable-event',
        expected: 'an event this version reads',
        found: event.type,
        message: (error as Error).message,
      });
    }
    if (!snapshot.can(jobEvent)) {
      return verdict({
        version,
        reason: 'refused-by-machine',
        expected: `an event allowed in ${JSON.stringify(snapshot.value)}`,
        found: event.type,
        message: `the job machine refuses ${event.type} in ${JSON.stringify(snapshot.value)}`,
      });
    }
    snapshot = transition(jobMachine, snapshot, jobEvent)[0];
    folded = evolve(folded, jobEvent);
    const machineState = snapshot.context.job!;
    if (canonicalJson(machineState) !== canonicalJson(folded)) {
      return verdict({
        version,
        reason: 'refused-by-machine',
        expected: 'the machine and evolve to agree',
        found: 'different states',
        message: `after version ${version} the job machine's state differs from evolve's`,
      });
    }
    steps.push({
      version,
      type: event.type,
      status: machineState.status,
      actor: whoWrote(event.metadata),
    });
  }
  const last = events.length;
  const pinned = evidence.pinnedHead;
  if (
    pinned &&
    (pinned.version > last ||
      (pinned.version >= 1 && events[pinned.version - 1]?.hash !== pinned.hash))
  ) {
    return verdict({
      version: pinned.version,
      reason: 'head',
      expected: pinned.hash,
      found: events[pinned.version - 1]?.hash ?? 'no such version',
      message: `the stream no longer reaches the pinned head at version ${pinned.version}`,
    });
  }
  const model = evidence.readModel;
  if (model !== undefined && folded !== null) {
    // A deleted job has no row in the read models; its log stays.
    const expected = folded.deleted ? 'no job row' : `version ${last}, ${folded.status}`;
    const found = model === null ? 'no job row' : `version ${model.version}, ${model.status}`;
    if (expected !== found) {
      return verdict({
        version: last,
        reason: 'read-model',
        expected,
        found,
        message: `the job's read model (${found}) is not what its log folds to (${expected})`,
      });
    }
  }
  return verdict();
}

function linkTextOf(event: AuditEvent): string {
  return eventLinkText({ ...event, dataDigest: dataDigest(event.data) });
}

function checkResultsDigest(
  event: AuditEvent,
  evidence: StreamEvidence,
): Omit<ChainBreak, 'streamId'> | undefined {
  if (event.type !== 'BatchResultsCollected' || !evidence.storedResultsDigest) return undefined;
  const data = event.data as { batchKey?: string; resultsDigest?: string };
  if (typeof data.resultsDigest !== 'string' || typeof data.batchKey !== 'string') return undefined;
  const stored = evidence.storedResultsDigest(data.batchKey);
  if (stored === undefined || stored === data.resultsDigest) return undefined;
  return {
    version: event.version,
    reason: 'results-digest',
    expected: data.resultsDigest,
    found: stored,
    message: `the results stored for batch ${data.batchKey} are not the ones version ${event.version} accounts for`,
  };
}

/**
 * Whether one stored event is the link it should be: the next version of the stream, chained,
 * naming the previous event's hash, and hashing to its own. Undefined when it is.
 */
export function checkLink(
  streamId: string,
  event: AuditEvent,
  version: number,
  previous: string | null,
): Omit<ChainBreak, 'streamId'> | undefined {
  if (event.version !== version || event.streamId !== streamId) {
    return {
      version,
      reason: 'missing-event',
      expected: `version ${version}`,
      found: `version ${event.version}`,
      message: `version ${version} is missing: the next stored event is version ${event.version}`,
    };
  }
  if (event.hash === null) {
    return {
      version,
      reason: 'unchained',
      expected: 'a hash',
      found: 'none',
      message: `version ${version} is not chained (written before 0010 and not chained yet, or inserted by hand)`,
    };
  }
  if (event.previousHash !== previous) {
    return {
      version,
      reason: 'previous-hash',
      expected: previous ?? 'none',
      found: event.previousHash ?? 'none',
      message: `version ${version} links to a previous hash that is not version ${version - 1}'s`,
    };
  }
  const computed = chainHash(previous, linkTextOf(event));
  if (computed !== event.hash) {
    return {
      version,
      reason: 'hash',
      expected: computed,
      found: event.hash,
      message: `version ${version} (${event.type}) does not hash to its stored hash: its content was changed`,
    };
  }
  return undefined;
}

/** "the driver on i-1", "api, tenant acme, key …, request … on i-1"; older events: the instance. */
function whoWrote(metadata: Record<string, unknown>): string | undefined {
  const who = describeActor(metadata.actor);
  const instance = typeof metadata.instanceId === 'string' ? metadata.instanceId : undefined;
  if (who === undefined) return instance;
  return instance === undefined ? who : `${who} on ${instance}`;
}
