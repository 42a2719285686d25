import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchJobManager } from '../../src/manager/batch-job-manager.js';
import { insertRequestResults } from '../../src/store/jobs/request-results.js';
import { countingDb } from '../http/counting-db.js';
import { request, TestBed } from '../support/manager.js';

describe('TenantJobs reads', () => {
  let bed: TestBed;
  let manager: BatchJobManager;
  let statements: () => number;
  let jobId: string;
  beforeAll(async () => {
    bed = await TestBed.open();
    const counted = countingDb(bed.database.db);
    statements = counted.statements;
    // No worker: the job stays as the test writes it.
    manager = bed.manager({ worker: false, database: { ...bed.database, db: counted.db } });
    const requests = Array.from({ length: 25 }, (_, i) => request(`t-${i}`));
    jobId = (await manager.forTenant('acme').createJob({ requests })).id;
    const { db } = bed.database;
    await db
      .insertInto('job_batches')
      .values([
        {
          job_id: jobId,
          batch_key: 'b2',
          attempt: 2,
          request_count: 5,
          anthropic_batch_id: null,
          status: 'intended',
          intended_at: new Date('2026-03-14T09:30:00.000Z'),
        },
        {
          job_id: jobId,
          batch_key: 'b1',
          attempt: 1,
          request_count: 25,
          anthropic_batch_id: 'msgbatch_1',
          status: 'ended',
          intended_at: new Date('2026-03-14T09:00:00.000Z'),
          submitted_at: new Date('2026-03-14T09:00:01.250Z'),
          ended_at: new Date('2026-03-14T09:20:00.000Z'),
        },
      ])
      .execute();
    // 22 errored outcomes, a second apart: request n's at 10:00:n.
    await Promise.all(
      Array.from({ length: 22 }, (_, n) =>
        insertRequestResults(
          db,
          jobId,
          [
            {
              ordinal: n,
              attempt: 1,
              batchKey: 'b1',
              resultType: 'errored',
              errorType: 'api_error',
              final: n % 2 === 0,
              result: {
                type: 'errored',
                error: { type: 'error', error: { type: 'api_error', message: `failure ${n}` } },
              },
              inputTokens: 0,
              outputTokens: 0,
            },
          ],
          new Date(Date.UTC(2026, 2, 14, 10, 0, n)),
        ),
      ),
    );
    await db.updateTable('jobs').set({ error_count: 22 }).where('id', '=', jobId).execute();
  });
  afterAll(() => bed.close());

  it('reads a job with its batches and latest errors in one statement', async () => {
    const before = statements();
    const job = await manager.forTenant('acme').getJob(jobId);
    expect(statements() - before).toBe(1);
    expect(job).toMatchObject({ id: jobId, tenant: 'acme', totalRequests: 25, errorCount: 22 });
    expect(job!.batches).toEqual([
      {
        batchKey: 'b1',
        batchId: 'msgbatch_1',
        attempt: 1,
        requestCount: 25,
        status: 'ended',
        submittedAt: '2026-03-14T09:00:01.250Z',
        endedAt: '2026-03-14T09:20:00.000Z',
        collectedAt: null,
      },
      {
        batchKey: 'b2',
        batchId: null,
        attempt: 2,
        requestCount: 5,
        status: 'intended',
        submittedAt: null,
        endedAt: null,
        collectedAt: null,
      },
    ]);
    expect(job!.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('shows the 20 latest errors, newest first, with their messages', async () => {
    const { errors } = (await manager.forTenant('acme').getJob(jobId))!;
    expect(errors).toHaveLength(20);
    expect(errors[0]).toEqual({
      customId: 'req-t-21',
      type: 'api_error',
      message: 'failure 21',
      final: false,
      at: '2026-03-14T10:00:21.000Z',
    });
    expect(errors.at(-1)).toMatchObject({ customId: 'req-t-2', final: true });
  });

  it('shows no errors, without looking for them, for a job that has none', async () => {
    const { id } = await manager.forTenant('acme').createJob({ requests: [request('clean')] });
    expect((await manager.forTenant('acme').getJob(id))!.errors).toEqual([]);
  });

  it('finds nothing of another tenant’s job: the job, its status, its results', async () => {
    const other = manager.forTenant('globex');
    expect(await other.getJob(jobId)).toBeNull();
    expect(await other.getJobStatus(jobId)).toBeNull();
    expect(await other.getJobResults(jobId)).toBeNull();
    const objects = [];
    for await (const line of other.iterateResults(jobId)) objects.push(line);
    const chunks = [];
    for await (const chunk of other.iterateResultsText(jobId)) chunks.push(chunk);
    expect({ objects, chunks }).toEqual({ objects: [], chunks: [] });
    expect(await other.createdBy(jobId, 'anyone')).toBe(false);
  });

  it('gives its own tenant the same results as objects and as text', async () => {
    const own = manager.forTenant('acme');
    const objects = [];
    for await (const { ordinal: _o, ...line } of own.iterateResults(jobId)) objects.push(line);
    let text = '';
    for await (const chunk of own.iterateResultsText(jobId)) text += chunk;
    const parsed = text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as unknown);
    expect(parsed).toEqual(objects);
    expect(parsed).toHaveLength(11);
    expect(await own.getJobStatus(jobId)).toBe('queued');
  });

  it('tells the request that created a job from one that found it by its Idempotency-Key', async () => {
    const own = manager.forTenant('acme');
    const config = { requests: [request('idem')], idempotencyKey: 'once' };
    const { id } = await own.createJob(config, 'req_first');
    expect((await own.createJob(config, 'req_second')).id).toBe(id);
    expect(await own.createdBy(id, 'req_first')).toBe(true);
    expect(await own.createdBy(id, 'req_second')).toBe(false);
  });
});
