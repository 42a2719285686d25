import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purgeExpiredPayloads } from '../../src/audit/purge-expired-payloads.js';
import { verifyLog } from '../../src/audit/verify-log.js';
import { ManualClock } from '../../src/domain/clock.js';
import type { Db } from '../../src/store/schema/index.js';
import { JobsApiHarness, request } from '../http/jobs-harness.js';

const DAY_MS = 86_400_000;

/** What is left of a job's payloads: result payloads not purged, request bodies kept. */
async function payloadsLeft(db: Db, jobId: string): Promise<{ results: number; bodies: number }> {
  const { rows } = await sql<{ results: number; bodies: number }>`
    select (select count(*)::int from request_results
            where job_id = ${jobId} and not (result ? 'purged' and result ? 'digest')) as results,
           (select count(*)::int from job_requests
            where job_id = ${jobId} and params is not null) as bodies`.execute(db);
  return rows[0]!;
}

async function eventCount(db: Db, jobId: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from events where stream_id = ${jobId}`.execute(db);
  return rows[0]!.n;
}

describe('purging payloads without breaking the chain', () => {
  let api: JobsApiHarness;
  let db: Db;
  beforeAll(async () => {
    api = await JobsApiHarness.open();
    db = api.bed.database.db;
  });
  afterAll(() => api.close());

  async function completedJob(name: string): Promise<string> {
    const { id } = await api.createJob({ requests: [request(`${name}-1`), request(`${name}-2`)] });
    await api.waitForStatus(id, ['completed']);
    return id;
  }

  it('removes a deleted job’s request bodies and result payloads; its events stay and verify', async () => {
    const id = await completedJob('deleted');
    expect(await payloadsLeft(db, id)).toEqual({ results: 2, bodies: 2 });
    const events = await eventCount(db, id);
    const response = await api.call('DELETE', `/v1/jobs/${id}`);
    expect(response.status).toBe(200);
    expect(await payloadsLeft(db, id)).toEqual({ results: 0, bodies: 0 });
    expect(await eventCount(db, id)).toBe(events + 1);
    const report = await verifyLog(db, { jobIds: [id] });
    expect(report.broken).toEqual([]);
    expect(report.events).toBe(events + 1);
  });

  it('purges, with BATCHKEEPER_PURGE_AFTER_DAYS, the jobs ended longer ago, once', async () => {
    const old = await completedJob('retention');
    const clock = new ManualClock(new Date(Date.now() + 29 * DAY_MS));
    const options = { afterDays: 30, clock };

    // 29 days after it ended: kept.
    const early = await purgeExpiredPayloads(db, options);
    expect(early.jobs).toBe(0);
    expect(await payloadsLeft(db, old)).toEqual({ results: 2, bodies: 2 });

    // 31 days after: purged, and the chain still verifies.
    clock.advance(2 * DAY_MS);
    const due = await purgeExpiredPayloads(db, options);
    expect(due).toMatchObject({ jobs: 1, results: 2, requestBodies: 2 });
    expect(await payloadsLeft(db, old)).toEqual({ results: 0, bodies: 0 });
    expect((await verifyLog(db, { jobIds: [old] })).broken).toEqual([]);

    // Done once: the next round finds nothing left to purge.
    expect(await purgeExpiredPayloads(db, options)).toMatchObject({ jobs: 0, more: false });
  });

  it('keeps what another job’s duplicate reuses: its answer is that job’s answer too', async () => {
    const original = await completedJob('shared');
    const { id: duplicate } = await api.createJob({ requests: [request('shared-1')] });
    await api.waitForStatus(duplicate, ['completed']);
    expect((await api.call('DELETE', `/v1/jobs/${original}`)).status).toBe(200);
    // shared-2 was the deleted job's alone; shared-1 answers the duplicate.
    expect(await payloadsLeft(db, original)).toEqual({ results: 1, bodies: 1 });
    const results = await (await api.call('GET', `/v1/jobs/${duplicate}/results`)).text();
    expect(results).toContain('"_deduplicated":true');
    expect(results).toContain('Simulated reply to 5 input tokens: question shared-1');
    expect(results).not.toContain('"purged"');
    expect((await verifyLog(db, { jobIds: [original] })).broken).toEqual([]);
  });
});
