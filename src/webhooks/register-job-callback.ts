import type { Trx } from '../store/schema/index.js';
import { assertWebhookDestinationAllowed, assertWebhookUrlAllowed } from './ssrf-guard.js';
import { TERMINAL_JOB_EVENT_TYPES } from './webhook-event-types.js';
import { newEndpointId } from './webhook-ids.js';
import { assertWebhookSecretValid, generateWebhookSecret } from './webhook-secret.js';
import type { WebhookSettings } from './webhook-settings.js';

export interface JobCallbackInput {
  tenant: string;
  jobId: string;
  /** createJob's callbackUrl. */
  url: string;
  /** createJob's webhookSecret; generated when absent. */
  secret?: string | null | undefined;
}

/**
 * Whether a job's callback URL may be called, its host resolved as a delivery resolves it (so a
 * callback is accepted where a subscription is). Before the creating transaction.
 */
export async function checkJobCallbackUrl(url: string, settings: WebhookSettings): Promise<void> {
  await assertWebhookDestinationAllowed(url, settings.allowList, {
    field: 'callbackUrl',
    resolve: settings.resolve,
  });
}

/**
 * Registers a job's own callback, which receives every terminal status of that job. Call it
 * in the transaction that creates the job; the secret is returned (to show once) and kept
 * only here, never in the event log.
 */
export async function registerJobCallback(
  trx: Trx,
  input: JobCallbackInput,
  settings: WebhookSettings,
): Promise<{ secret: string }> {
  // Its host was resolved before the creating transaction began (checkJobCallbackUrl): a DNS
  // lookup must not hold a transaction open. Checked here again without one.
  assertWebhookUrlAllowed(input.url, settings.allowList, 'callbackUrl');
  if (input.secret) assertWebhookSecretValid(input.secret, 'webhookSecret');
  const secret = input.secret || generateWebhookSecret();
  const id = newEndpointId();
  await trx
    .insertInto('webhook_endpoints')
    .values({
      id,
      tenant: input.tenant,
      kind: 'job_callback',
      url: input.url,
      job_id: input.jobId,
      event_types: JSON.stringify(TERMINAL_JOB_EVENT_TYPES),
      secret: settings.cipher.seal(secret, id),
      created_at: settings.clock.now(),
    })
    .execute();
  return { secret };
}
