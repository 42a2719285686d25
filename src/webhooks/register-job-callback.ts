import type { Trx } from '../store/schema/index.js';
import { assertWebhookDestinationAllowed } from './ssrf-guard.js';
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
 * Registers a job's own callback, which receives every terminal status of that job. Call it
 * in the transaction that creates the job; the secret is returned (to show once) and kept
 * only here, never in the event log.
 */
export async function registerJobCallback(
  trx: Trx,
  input: JobCallbackInput,
  settings: WebhookSettings,
): Promise<{ secret: string }> {
  // Resolved as a delivery resolves it, so a callback is accepted where a subscription is.
  await assertWebhookDestinationAllowed(input.url, settings.allowList, {
    field: 'callbackUrl',
    resolve: settings.resolve,
  });
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
