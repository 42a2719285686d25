import type { JobEventRecord } from '../api/types.js';
import { formatCount, formatUsd, shortJson } from '../format.js';

type Data = Record<string, unknown>;

const n = (value: unknown) => (typeof value === 'number' ? formatCount(value) : '?');
const s = (value: unknown) => (typeof value === 'string' ? value : shortJson(value, 60));

/** One line saying what an event of the job's log recorded. Pure. */
export function summarizeEvent(event: JobEventRecord): string {
  const d = (event.data ?? {}) as Data;
  switch (event.type) {
    case 'JobCreated':
      return `created with ${n(d.totalRequests)} requests (${n(d.uniqueRequests)} unique), priority ${n(d.priority)}${d.retryOf ? `, retrying ${s(d.retryOf)}` : ''}`;
    case 'JobQueued':
      return 'queued';
    case 'JobStarted':
      return `started by ${s(d.instanceId)}`;
    case 'BatchSubmissionIntended':
      return d.purpose === 'cache-prime'
        ? `about to submit ${s(d.batchKey)} to prime the prompt cache (1 request; ${n(d.heldBack)} wait for it)`
        : `about to submit ${s(d.batchKey)} (${n(d.requestCount)} requests, attempt ${n(d.attempt)})`;
    case 'BatchSubmitted':
      return `${s(d.batchKey)} submitted as ${s(d.batchId)}${d.adopted ? ' (adopted)' : ''}`;
    case 'BatchSubmissionAbandoned':
      return `${s(d.batchKey)} abandoned: ${s(d.reason)}`;
    case 'BatchEnded':
      return `${s(d.batchId)} ended at Anthropic`;
    case 'BatchResultsCollected': {
      const usage = (d.usage ?? {}) as Data;
      const cost = typeof usage.costUsd === 'number' ? `, ${formatUsd(usage.costUsd)}` : '';
      return `results of ${s(d.batchId)}: ${n(d.succeeded)} succeeded, ${n(d.errored)} errored, ${n(d.canceled)} canceled, ${n(d.expired)} expired, ${n(d.retryable)} to retry${cost}`;
    }
    case 'RetryScheduled':
      return `retry ${n(d.attempt)} of ${n(d.requestCount)} requests due ${s(d.dueAt)}`;
    case 'ProgressRecorded': {
      const p = (d.progress ?? {}) as Data;
      return `progress ${n(p.percentComplete)}% (${n(p.completed)} of ${n(p.total)} done)`;
    }
    case 'RequestOutcomeRecorded':
      return `${s(d.customId)} recorded by hand as ${s(d.resultType)}`;
    case 'JobPaused':
      return d.reason === 'budget'
        ? 'paused: the next requests would pass its budget'
        : d.reason === 'tenant-budget'
          ? "paused: the next requests would pass the tenant's daily budget"
          : 'paused';
    case 'RequestsEndedOverBudget':
      return `${n(d.requestCount)} requests ended: over budget (budget_exceeded)`;
    case 'JobBudgetChanged':
      return typeof d.maxCostUsd === 'number'
        ? `budget set to ${formatUsd(d.maxCostUsd)}`
        : 'budget removed';
    case 'JobResumed':
      return 'resumed';
    case 'JobCancellationRequested':
      return 'cancellation requested';
    case 'JobCancelled':
      return `cancelled, ${n(d.unfinished)} requests unfinished`;
    case 'JobCompleted':
      return 'completed';
    case 'JobFailed':
      return `failed: ${s(d.reason)}`;
    case 'JobExpired':
      return `expired, ${n(d.unfinished)} requests unfinished`;
    case 'JobDeleted':
      return 'deleted';
    case 'JobRetried':
      return `${n(d.requestCount)} requests sent again as ${s(d.retryJobId)}`;
    default:
      return shortJson(event.data, 100);
  }
}

/**
 * Who caused the event and where (metadata.actor, docs/audit.md): "driver on i-1", "api key
 * sha256:… on i-1"; `full` adds the tenant and request id. Older events: the instance only.
 */
export function actorOf(event: JobEventRecord, full = false): string {
  const actor = event.metadata.actor as Record<string, unknown> | undefined;
  const where = instanceOf(event);
  if (typeof actor !== 'object' || actor === null) return where;
  let who: string;
  if (actor.kind === 'system') who = s(actor.loop);
  else if (actor.kind === 'api') {
    who = actor.apiKeyId ? `api key ${s(actor.apiKeyId)}` : 'api (open)';
    if (full) who += `, tenant ${s(actor.tenant)}, request ${s(actor.requestId)}`;
  } else who = full ? `${s(actor.kind)}, tenant ${s(actor.tenant)}` : s(actor.kind);
  return `${who} on ${where}`;
}

/** The instance that wrote the event, as its metadata says. */
export function instanceOf(event: JobEventRecord): string {
  const id = event.metadata.instanceId;
  return typeof id === 'string' ? id : '–';
}
