import type { Db } from '../../src/store/schema/index.js';

/** A queued job's row, so a subscription may name the job; nothing else about it matters here. */
export async function insertJobRow(db: Db, tenant: string, id: string): Promise<void> {
  const now = new Date();
  await db
    .insertInto('jobs')
    .values({
      id,
      tenant,
      status: 'queued',
      step: null,
      priority: 3,
      tags: [],
      metadata: '{}',
      deduplicate: false,
      callback_url: null,
      idempotency_key: null,
      total_requests: 1,
      unique_requests: 1,
      deduplicated_requests: 0,
      completed: 0,
      failed: 0,
      cancelled: 0,
      expired: 0,
      in_flight: 0,
      percent_complete: 0,
      retry_count: 0,
      input_tokens: 0,
      output_tokens: 0,
      cost_usd: 0,
      batch_ids: [],
      error_count: 0,
      failure_reason: null,
      timeout_ms: 60_000,
      created_at: now,
      updated_at: now,
      queued_at: now,
      started_at: null,
      completed_at: null,
      expires_at: new Date(now.getTime() + 60_000),
      retry_due_at: null,
      cancel_requested_at: null,
      version: 1,
    })
    .execute();
}
