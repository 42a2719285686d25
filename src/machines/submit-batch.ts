import { AnthropicFailure, BatchCreationUnconfirmedError } from '../domain/anthropic.errors.js';
import type { Clock } from '../domain/clock.js';
import { ConcurrencyError } from '../domain/errors.js';
import type { JobEvent } from '../domain/job.events.js';
import { budgetUseOf } from '../domain/job.state.js';
import { roomInBudget, worstCaseCostOf } from '../domain/job-budget.js';
import { type JobOptions, tenantLimitDefaults } from '../domain/job-options.js';
import { selectSendableRequests, takeSendableRequests } from '../store/jobs/job-requests.js';
import type { Trx } from '../store/schema/index.js';
import type { BatchApi } from './batch-api.port.js';
import { sentCustomId } from './job-ids.js';
import type { HydratedJob } from './job-snapshot.js';
import type { LiveJob } from './live-job.js';
import type { InFlightCount } from './requests-in-flight.js';

/**
 * What a submission came to: a batch went out, Anthropic had no room, the next request did not
 * fit the job's budget (the job is now paused for it), or nothing was left.
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
  const room = roomAtAnthropic(options, await deps.requestsInFlight(job.state.tenant));
  if (room <= 0) {
    if (prefix.length > 0) await deps.commit(job, prefix);
    return 'no-room';
  }
  const batchKey = `b${job.state.batches.length + 1}`;
  const attempt = job.state.retryCount + 1;
  const taken = await live.transaction(async (trx) => {
    const limit = Math.min(room, options.maxBatchRequests);
    const budget = await budgetRoom(trx, job, limit, options);
    if (budget && budget.fitting === 0 && budget.waiting > 0) {
      const paused: JobEvent = {
        type: 'JobPaused',
        data: { at: now.toISOString(), reason: 'budget' },
      };
      return {
        chosen: [],
        overBudget: true,
        intent: await live.commitIn(trx, job, [...prefix, paused]),
      };
    }
    const chosen = await takeSendableRequests(
      trx,
      job.state.id,
      batchKey,
      budget?.fitting ?? limit,
      options.maxBatchBytes,
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
 * For a budgeted job: how many of its next `limit` sendable requests fit under its cap
 * (roomInBudget), and the worst case of the first n of them; undefined for a job with no cap.
 * A request that cannot be bounded (its model lost its price since creation) never fits.
 */
async function budgetRoom(
  trx: Trx,
  job: HydratedJob,
  limit: number,
  options: JobOptions,
): Promise<{ fitting: number; waiting: number; worstOf: (n: number) => number } | undefined> {
  const use = budgetUseOf(job.state);
  if (use === null) return undefined;
  const next = await selectSendableRequests(trx, job.state.id, limit);
  const worstCases = next.map((request) => {
    const worst = worstCaseCostOf(request.params, options.priceTable);
    return 'usd' in worst ? worst.usd : Number.POSITIVE_INFINITY;
  });
  return {
    fitting: roomInBudget(use, worstCases),
    waiting: next.length,
    worstOf: (n) => worstCases.slice(0, n).reduce((sum, usd) => sum + usd, 0),
  };
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
