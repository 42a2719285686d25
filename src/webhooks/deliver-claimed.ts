import type { Clock } from '../domain/clock.js';
import { webhookDeliveries } from '../observability/metrics.js';
import type { Db } from '../store/schema/index.js';
import { abandonDelivery } from './abandon-delivery.js';
import type { AttemptRecorder } from './attempt-recorder.js';
import type { ClaimedDelivery } from './claim-due-deliveries.js';
import type { DeliveryAttemptRecord } from './record-delivery-attempts.js';
import { type AttemptResult, decideNextStep, type NextStep } from './retry-policy.js';
import type { SecretCipher } from './secret-cipher.js';
import type { SendOutcome, WebhookSender } from './webhook-sender.js';
import { signWebhook } from './webhook-signature.js';

export interface DeliverDeps {
  db: Db;
  clock: Clock;
  instanceId: string;
  cipher: SecretCipher;
  sender: WebhookSender;
  /** A number in [0, 1) for the retry jitter. */
  random: () => number;
}

/** What became of one claimed delivery; `lost` when our claim lapsed before we recorded it. */
export type DeliveryResult = 'delivered' | 'retrying' | 'dead' | 'lost';

/** A claimed delivery once its attempt is over (or found pointless), before it is recorded. */
export type FinishedAttempt =
  | { kind: 'abandoned'; deliveryId: string; claimToken: string; reason: string }
  | { kind: 'attempted'; record: DeliveryAttemptRecord; outcome: SendOutcome };

/**
 * Makes one attempt at a claimed delivery: signs it (with the previous secret too during a
 * rotation's grace period), sends it and decides its next step. Nothing is written: the
 * caller records it (recordFinished), so that many attempts share a transaction. A delivery
 * whose endpoint was deleted or disabled meanwhile is not sent but abandoned.
 */
export async function attemptClaimed(
  deps: DeliverDeps,
  claimed: ClaimedDelivery,
): Promise<FinishedAttempt> {
  const { delivery, endpoint, claimToken } = claimed;
  const inactive = endpoint.deleted_at
    ? 'the subscription was deleted'
    : endpoint.disabled_at
      ? (endpoint.disabled_reason ?? 'the endpoint is disabled')
      : undefined;
  if (inactive) return { kind: 'abandoned', deliveryId: delivery.id, claimToken, reason: inactive };

  const attemptedAt = deps.clock.now();
  const outcome = await attempt(deps, claimed, attemptedAt);
  const attemptNumber = delivery.attempt_count + 1;
  const now = deps.clock.now();
  const next = decideNextStep(toAttemptResult(outcome), {
    attemptsMade: attemptNumber,
    maxAttempts: delivery.max_attempts,
    now,
    random: deps.random,
  });
  const record: DeliveryAttemptRecord = {
    deliveryId: delivery.id,
    claimToken,
    instanceId: deps.instanceId,
    attemptNumber,
    attemptedAt,
    durationMs: outcome.durationMs,
    statusCode: outcome.kind === 'response' ? outcome.statusCode : null,
    error: outcome.kind === 'error' ? outcome.error : null,
    responseExcerpt: outcome.kind === 'response' ? outcome.responseExcerpt : null,
    next,
    now,
  };
  return { kind: 'attempted', record, outcome };
}

/** Records a finished attempt (through the recorder's shared transactions) and counts it. */
export async function recordFinished(
  deps: Pick<DeliverDeps, 'db'> & { recorder: AttemptRecorder },
  finished: FinishedAttempt,
): Promise<DeliveryResult> {
  if (finished.kind === 'abandoned') {
    // Rare (an endpoint deleted or disabled after its messages were written): its own transaction.
    const kept = await deps.db.transaction().execute((trx) => abandonDelivery(trx, finished));
    return kept ? 'dead' : 'lost';
  }
  const { record, outcome } = finished;
  if (!(await deps.recorder.record(record))) return 'lost';
  webhookDeliveries.inc({ outcome: metricOutcome(outcome, record.next) });
  return record.next.status === 'pending' ? 'retrying' : record.next.status;
}

function metricOutcome(outcome: SendOutcome, next: NextStep): string {
  if (outcome.kind === 'error' && outcome.refused) return 'refused';
  return next.status === 'pending' ? 'failed' : next.status;
}

async function attempt(
  deps: DeliverDeps,
  { delivery, endpoint }: ClaimedDelivery,
  attemptedAt: Date,
): Promise<SendOutcome> {
  let secrets: string[];
  try {
    secrets = [deps.cipher.open(endpoint.secret, endpoint.id)];
    const graceEnds = endpoint.previous_secret_expires_at;
    if (endpoint.previous_secret && graceEnds && graceEnds > attemptedAt) {
      secrets.push(deps.cipher.open(endpoint.previous_secret, endpoint.id));
    }
  } catch (error) {
    // Recorded as a failed attempt, so an operator sees it in the log and can fix the key.
    const message = error instanceof Error ? error.message : String(error);
    return { kind: 'error', timedOut: false, refused: false, error: message, durationMs: 0 };
  }
  const headers = signWebhook({
    id: delivery.id,
    timestamp: attemptedAt,
    body: delivery.body,
    secrets,
  });
  return deps.sender.send({ url: endpoint.url, body: delivery.body, headers: { ...headers } });
}

function toAttemptResult(outcome: SendOutcome): AttemptResult {
  return outcome.kind === 'response'
    ? { kind: 'response', statusCode: outcome.statusCode, retryAfter: outcome.retryAfter }
    : { kind: 'error', timedOut: outcome.timedOut };
}
