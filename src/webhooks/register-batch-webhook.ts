import { NotFoundError, ValidationError } from '../domain/errors.js';
import { findJobRow } from '../store/jobs/job-queries.js';
import type { Db } from '../store/schema/index.js';
import { assertWebhookDestinationAllowed } from './ssrf-guard.js';
import { JOB_EVENT_TYPES, type JobEventType } from './webhook-event-types.js';
import { newEndpointId } from './webhook-ids.js';
import { assertWebhookSecretValid, generateWebhookSecret } from './webhook-secret.js';
import type { WebhookSettings } from './webhook-settings.js';
import { rowToWebhookSubscription, type WebhookSubscriptionWithSecret } from './webhook-views.js';

export interface RegisterWebhookInput {
  tenant: string;
  url: string;
  /** `whsec_` + base64 of 24..64 bytes; generated when absent. */
  secret?: string | undefined;
  events: readonly string[];
  /** Only this job; absent: every job of the tenant. */
  jobId?: string | undefined;
}

/**
 * Subscribes `url` to the named event types (POST /v1/webhooks). The URL passes the SSRF
 * guard first (its host resolved and judged as deliveries judge it); a job it names must be one of the tenant's; the secret is returned this once.
 */
export async function registerBatchWebhook(
  db: Db,
  input: RegisterWebhookInput,
  settings: WebhookSettings,
): Promise<WebhookSubscriptionWithSecret> {
  await assertWebhookDestinationAllowed(input.url, settings.allowList, {
    resolve: settings.resolve,
  });
  const events = parseEventTypes(input.events);
  if (input.secret !== undefined) assertWebhookSecretValid(input.secret);
  // Another tenant's job is as unknown as one that never existed.
  if (input.jobId !== undefined && !(await findJobRow(db, input.tenant, input.jobId))) {
    throw new NotFoundError(`job ${input.jobId} not found`);
  }
  const secret = input.secret ?? generateWebhookSecret();
  const id = newEndpointId();
  const row = await db
    .insertInto('webhook_endpoints')
    .values({
      id,
      tenant: input.tenant,
      kind: 'subscription',
      url: input.url,
      job_id: input.jobId ?? null,
      event_types: JSON.stringify(events),
      secret: settings.cipher.seal(secret, id),
      created_at: settings.clock.now(),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { subscription: rowToWebhookSubscription(row), secret };
}

function parseEventTypes(events: readonly string[]): JobEventType[] {
  const unknown = events.filter((e) => !(JOB_EVENT_TYPES as readonly string[]).includes(e));
  if (events.length === 0 || unknown.length > 0) {
    const message =
      events.length === 0
        ? 'name at least one event type'
        : `unknown event type ${unknown.map((e) => JSON.stringify(e)).join(', ')}`;
    throw new ValidationError(
      `invalid webhook events: ${message} (${JOB_EVENT_TYPES.join(', ')})`,
      [{ path: 'events', message }],
    );
  }
  return JOB_EVENT_TYPES.filter((type) => events.includes(type));
}
