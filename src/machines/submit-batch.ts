import { AnthropicFailure, BatchCreationUnconfirmedError } from '../domain/anthropic.errors.js';
import type { Clock } from '../domain/clock.js';
import { ConcurrencyError } from '../domain/errors.js';
import type { JobEvent } from '../domain/job.events.js';
import { type JobOptions, tenantLimitDefaults } from '../domain/job-options.js';
import { takeSendableRequests } from '../store/jobs/job-requests.js';
import type { BatchApi } from './batch-api.port.js';
import { budgetRoom, overBudgetEvents } from './budget-room.js';
import { cachePrimingScope } from './cache-priming-selection.js';
import { sentCustomId } from './job-ids.js';
import type { HydratedJob } from './job-snapshot.js';
import type { LiveJob } from './live-job.js';
import type { InFlightCount } from './requests-in-flight.js';

/**
 * What a submission came to: a batch went out, Anthropic had no room, the next request did not
 * fit a budget (the job is now paused for it, or its unsent requests ended), or nothing was
 * left (or nothing may go until the job's batches in flight are collected).
 */
export type SubmitOutcome = 'sent' | 'no-room' | 'over-budget' | 'nothing-to-send';

export interface SubmitDeps {
  api: BatchApi;
  clock: Clock;
  options: JobOptions;
  /** Requests waiting at Anthropic across every job and instance, and the tenant's (may be a little stale). */
  requestsInFlight: (tenant: string) => Promise<InFlightCount>;
  /** Told how many requests this instance just sent, so the counts above stay near the truth. */
  sent?: ((tenant: string, requests: number) => void) | undefined;
  /** The driver's commit: with `now`, the job's completion goes with the events when due. */
  commit: (job: HydratedJob, events: JobEvent[], now?: Date) => Promise<unknown>;
}

/**
 * Requests the job may send now: what is left of the organization's room at Anthropic (one
 * batch queue serves every tenant), and of the tenant's share of it, so one tenant's huge jobs
 * cannot hold all of it while another's wait.
 */
export function roomAtAnthropic(options: JobOptions, inFlight: InFlightCount): number {
  const tenantMax = inFlight.maxOverride ?? tenantLimitDefaults(options).maxRequestsInFlight;
  return Math.min(options.maxRequestsInFlight - inFlight.all, tenantMax - inFlight.tenant);
}

/**
 * Sends the job's next sub-batch if Anthropic has room: the requests are taken and the intent
 * recorded in one transaction (with the `prefix` events), then the batch is created, then its id
 * recorded. A creation whose outcome is unknown leaves the intent for reconciliation (it is
 * never sent blindly again); one Anthropic refused is recorded as abandoned, and thrown.
 */
export async function submitNextBatch(
  deps: SubmitDeps,
  live: LiveJob,
  job: HydratedJob,
  now: Date,
  prefix: JobEvent[] = [],
): Promise<SubmitOutcome> {
  const { options, api } = deps;
  const inFlight = await deps.requestsInFlight(job.state.tenant);
  const room = roomAtAnthropic(options, inFlight);
  if (room <= 0) {
    if (prefix.length > 0) await deps.commit(job, prefix);
    return 'no-room';
  }
  const batchKey = `b${job.state.batches.length + 1}`;
  const attempt = job.state.retryCount + 1;
  const taken = await live.transaction(async (trx) => {
    // Cache priming (off unless the job asks): a prime alone, or only what no prime holds back.
    const scope = await cachePrimingScope(trx, live, job, now, options.priceTable);
    const limit = Math.min(room, options.maxBatchRequests, scope?.limit ?? Infinity);
    const budget = await budgetRoom(trx, job, limit, options, now, {
      only: scope?.only,
      dailyBudgetOverride: inFlight.dailyBudgetOverride,
    });
    if (budget && budget.decision.kind !== 'send') {
      const events = await overBudgetEvents(trx, job.state.id, budget.decision, now);
      if (prefix.length + events.length === 0) return undefined;
      return {
        chosen: [],
        overBudget: events.length > 0,
        intent: await live.commitIn(trx, job, [...prefix, ...events]),
      };
    }
    const chosen = await takeSendableRequests(
      trx,
      job.state.id,
      batchKey,
      budget?.decision.kind === 'send' ? budget.decision.count : limit,
      options.maxBatchBytes,
      scope?.only,
    );
    const worstCaseUsd = budget && { worstCaseUsd: budget.worstOf(chosen.length) };
    const intent: JobEvent[] =
      chosen.length === 0
        ? []
        : [
            {
              type: 'BatchSubmissionIntended',
              data: {
                batchKey,
                attempt,
                requestCount: chosen.length,
                at: now.toISOString(),
                ...worstCaseUsd,
                ...scope?.intent,
              },
            },
          ];
    if (prefix.length + intent.length === 0) return undefined;
    return {
      chosen,
      overBudget: false,
      intent: await live.commitIn(trx, job, [...prefix, ...intent]),
    };
  });
  if (taken) live.committed(job, taken.intent);
  if (taken?.overBudget) return 'over-budget';
  if (!taken || taken.chosen.length === 0) return 'nothing-to-send';
  deps.sent?.(job.state.tenant, taken.chosen.length);

  const requests = taken.chosen.map((c) => ({
    custom_id: sentCustomId(job.state.id, c.ordinal),
    params: c.params,
  }));
  let batchId: string;
  try {
    const signal = AbortSignal.timeout(options.submitTimeoutMs);
    // Every batch of a job, retries too, goes under the version it was validated under.
    const anthropicVersion = job.state.anthropicVersion;
    batchId = (await api.createBatch(requests, { signal, anthropicVersion })).id;
  } catch (error) {
    // The batch may exist: leave the intent for reconciliation, never send blindly again.
    if (error instanceof BatchCreationUnconfirmedError) throw error;
    const reason =
      error instanceof AnthropicFailure ? `${error.type}: ${error.message}` : String(error);
    const at = deps.clock.now().toISOString();
    await deps.commit(
      taken.intent,
      [{ type: 'BatchSubmissionAbandoned', data: { batchKey, reason, at } }],
      now,
    );
    throw error;
  }
  await recordSubmitted(deps, live, taken.intent, batchKey, batchId);
  return 'sent';
}

/**
 * Records the batch Anthropic created. A command (cancel, pause) appended since the intent makes
 * the first commit a ConcurrencyError: the job is then read again and the batch recorded on it,
 * so its id is never dropped (an intent without one goes to reconciliation, which waits for the
 * batch to end when other batches of its size are in flight).
 */
async function recordSubmitted(
  deps: SubmitDeps,
  live: LiveJob,
  job: HydratedJob,
  batchKey: string,
  batchId: string,
): Promise<void> {
  for (let current = job; ; ) {
    try {
      const at = deps.clock.now().toISOString();
      await deps.commit(current, [{ type: 'BatchSubmitted', data: { batchKey, batchId, at } }]);
      return;
    } catch (error) {
      if (!(error instanceof ConcurrencyError)) throw error;
      const fresh = live.known;
      const intended = fresh?.state.batches.find((b) => b.batchKey === batchKey);
      if (!fresh || intended?.status !== 'intended') return;
      current = fresh;
    }
  }
}
