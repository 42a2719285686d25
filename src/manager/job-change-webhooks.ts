import { progressOf } from '../domain/job.state.js';
import type { JobChange } from '../machines/job-store.js';
import type { Trx } from '../store/schema/index.js';
import { enqueueJobWebhooks } from '../webhooks/index.js';

const TERMINAL_WEBHOOK_TYPES = {
  completed: 'job.completed',
  failed: 'job.failed',
  cancelled: 'job.cancelled',
  expired: 'job.expired',
} as const;

/**
 * The webhook messages one commit of a job owes its subscribers, written to the outbox in the
 * commit's transaction: `job.<status>` when it ended, else `job.progress` when results came in.
 */
export async function enqueueChangeWebhooks(trx: Trx, change: JobChange): Promise<void> {
  const after = change.after;
  const becameTerminal =
    change.before?.status !== after.status && after.status in TERMINAL_WEBHOOK_TYPES
      ? TERMINAL_WEBHOOK_TYPES[after.status as keyof typeof TERMINAL_WEBHOOK_TYPES]
      : undefined;
  const progressed = change.events.some(
    (e) => e.type === 'BatchResultsCollected' || e.type === 'ProgressRecorded',
  );
  const type = becameTerminal ?? (progressed ? 'job.progress' : undefined);
  if (!type) return;
  await enqueueJobWebhooks(trx, {
    tenant: after.tenant,
    jobId: after.id,
    type,
    data: {
      id: after.id,
      status: after.status,
      priority: after.priority,
      totalRequests: after.totalRequests,
      uniqueRequests: after.uniqueRequests,
      deduplicatedRequests: after.deduplicatedRequests,
      createdAt: after.createdAt,
      expiresAt: after.expiresAt,
      completedAt: after.completedAt,
      failureReason: after.failureReason,
      progress: progressOf(after),
    },
    occurredAt: new Date(after.updatedAt),
  });
}
