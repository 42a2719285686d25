import { sql } from 'kysely';
import type { DbOrTrx, Trx } from '../store/schema/index.js';
import { insertDeliveries } from './insert-deliveries.js';
import { isTerminalJobEventType, type JobEventType } from './webhook-event-types.js';
import { serializeWebhookPayload } from './webhook-payload.js';

/** A job event that may cause webhooks, as the job pipeline hands it over. */
export interface JobWebhookEvent {
  tenant: string;
  jobId: string;
  type: JobEventType;
  /** The job summary and progress; thin, no results. */
  data: object;
  occurredAt: Date;
}

/**
 * Writes the outbox rows a job event causes, in the caller's transaction (the one that
 * appends the event): one for the job's callback (terminal types only) and one per active
 * subscription naming the type, tenant-wide or for this job. Returns how many were written.
 */
export async function enqueueJobWebhooks(trx: Trx, event: JobWebhookEvent): Promise<number> {
  return (await enqueueJobWebhookDeliveries(trx, event)).length;
}

/** enqueueJobWebhooks, returning the new deliveries' ids. */
export async function enqueueJobWebhookDeliveries(
  trx: DbOrTrx,
  event: JobWebhookEvent,
): Promise<string[]> {
  const endpoints = await trx
    .selectFrom('webhook_endpoints')
    .select('id')
    .where('tenant', '=', event.tenant)
    .where('deleted_at', 'is', null)
    .where('disabled_at', 'is', null)
    .where((eb) => {
      const forSubscriptions = eb.and([
        eb('kind', '=', 'subscription'),
        eb.or([eb('job_id', 'is', null), eb('job_id', '=', event.jobId)]),
        sql<boolean>`event_types @> ${JSON.stringify([event.type])}::jsonb`,
      ]);
      if (!isTerminalJobEventType(event.type)) return forSubscriptions;
      const forCallback = eb.and([eb('kind', '=', 'job_callback'), eb('job_id', '=', event.jobId)]);
      return eb.or([forCallback, forSubscriptions]);
    })
    .orderBy('id')
    .execute();
  return insertDeliveries(trx, {
    tenant: event.tenant,
    endpointIds: endpoints.map((e) => e.id),
    jobId: event.jobId,
    type: event.type,
    body: serializeWebhookPayload(event.type, event.data, event.occurredAt),
    dueAt: event.occurredAt,
  });
}
