import { sql } from 'kysely';
import type { Db } from '../../src/store/schema/index.js';
import { parseWebhookAllowList, registerBatchWebhook } from '../../src/webhooks/index.js';
import { insertDeliveries } from '../../src/webhooks/insert-deliveries.js';
import { serializeWebhookPayload } from '../../src/webhooks/webhook-payload.js';
import { createWebhookSettings } from '../../src/webhooks/webhook-settings.js';

export const BENCH_TENANT = 'bench';
/** The receiver listens on loopback, which the SSRF guard refuses unless it is allowed. */
export const RECEIVER_ALLOW_LIST = parseWebhookAllowList('127.0.0.1');

/** A `job.completed` body as the job pipeline writes it: thin, the job's summary only. */
export function jobCompletedBody(now: Date): string {
  return serializeWebhookPayload(
    'job.completed',
    {
      job: {
        id: 'job_bench0000000000000000000',
        status: 'completed',
        priority: 3,
        tags: ['bench'],
        progress: { total: 10, completed: 10, failed: 0, cancelled: 0, expired: 0 },
        usage: { inputTokens: 1200, outputTokens: 3400, costUsd: 0.0273 },
        createdAt: now.toISOString(),
        completedAt: now.toISOString(),
      },
    },
    now,
  );
}

/** Subscribes `url` to job.completed for the bench tenant, as POST /v1/webhooks does. */
export async function subscribeReceiver(db: Db, url: string): Promise<string> {
  const settings = { ...createWebhookSettings(), allowList: RECEIVER_ALLOW_LIST };
  const { subscription } = await registerBatchWebhook(
    db,
    { tenant: BENCH_TENANT, url, events: ['job.completed'] },
    settings,
  );
  return subscription.id;
}

/** Writes `count` pending deliveries of `body` to the endpoint, due now. */
export async function fillOutbox(db: Db, endpointId: string, count: number, body: string) {
  await insertDeliveries(db, {
    tenant: BENCH_TENANT,
    endpointIds: Array.from({ length: count }, () => endpointId),
    jobId: null,
    type: 'job.completed',
    body,
    dueAt: new Date(),
  });
}

/**
 * Resolves once no delivery is pending (each one delivered and its attempt recorded); rejects
 * as soon as an attempt failed (it would wait for its retry) or after `timeoutMs`.
 */
export async function outboxDrained(db: Db, pollMs: number, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    // It runs while the relay is timed: through the partial index on pending rows, so cheap.
    const { rows } = await sql<{ pending: number; failed: number }>`
      select count(*)::int as pending, (count(*) filter (where attempt_count > 0))::int as failed
      from webhook_deliveries where status = 'pending'
    `.execute(db);
    const { pending, failed } = rows[0]!;
    if (failed > 0) throw new Error(`${failed} webhook deliveries failed an attempt`);
    if (pending === 0) return;
    if (performance.now() > deadline) throw new Error('the outbox did not drain in time');
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
