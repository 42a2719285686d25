import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { JobStatus, Priority } from '../../src/index.js';
import type { JobNotifications } from '../../src/machines/job-notifications.js';
import { readStream } from '../../src/store/event-store.js';
import { request, TestBed, waitForStatus } from '../support/manager.js';

describe('a job’s life against the simulator', () => {
  let bed: TestBed;
  beforeAll(async () => {
    bed = await TestBed.open();
  });
  afterEach(() => bed.closeManagers());
  afterAll(() => bed.close());

  it('returns the seed’s summary from createJob, queued', async () => {
    const manager = bed.manager({ worker: false });
    const summary = await manager.createJob({
      requests: [request(1), request(2)],
      priority: 'HIGH',
    });
    expect(summary).toEqual({
      id: expect.stringMatching(/^job_/),
      status: JobStatus.QUEUED,
      priority: Priority.HIGH,
      totalRequests: 2,
      uniqueRequests: 2,
      deduplicatedRequests: 0,
      createdAt: expect.any(String),
      expiresAt: expect.any(String),
    });
    expect(Date.parse(summary.expiresAt) - Date.parse(summary.createdAt)).toBe(
      manager.options.defaultTimeoutMs,
    );
  });

  it('submits, follows and completes a job, storing every result', async () => {
    const manager = bed.manager();
    const { id } = await manager.createJob({
      requests: [request('a'), request('b'), request('c')],
    });
    const job = await waitForStatus(manager, id, ['completed', 'failed']);
    expect(job.status).toBe('completed');
    expect(job.progress).toMatchObject({
      total: 3,
      completed: 3,
      pending: 0,
      percentComplete: 100,
    });
    expect(job.batches).toHaveLength(1);
    expect(job.batches[0]?.batchId).toMatch(/^msgbatch_/);
    expect(job.usage.outputTokens).toBeGreaterThan(0);
    const results = await manager.getJobResults(id);
    expect(Object.keys(results!.results).sort()).toEqual(['req-a', 'req-b', 'req-c']);
    expect(results!.results['req-a']!.result.type).toBe('succeeded');
  });

  it('records the job’s life as past-tense events in order', async () => {
    const manager = bed.manager();
    const { id } = await manager.createJob({ requests: [request('audit')] });
    await waitForStatus(manager, id, ['completed']);
    const events = await readStream(bed.database.db, id);
    expect(events.map((e) => e.type)).toEqual([
      'JobCreated',
      'JobQueued',
      'JobStarted',
      'BatchSubmissionIntended',
      'BatchSubmitted',
      'BatchEnded',
      'BatchResultsCollected',
      'JobCompleted',
    ]);
    expect(events.map((e) => e.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(events[0]?.metadata).toMatchObject({
      tenant: 'default',
      instanceId: manager.instanceId,
    });
  });

  it('emits the seed’s events after each change is committed', async () => {
    const manager = bed.manager();
    const seen: Array<[string, unknown]> = [];
    const names: Array<keyof JobNotifications> = [
      'job:created',
      'job:status_changed',
      'job:progress',
    ];
    for (const name of names) manager.on(name, (payload) => seen.push([name, payload]));
    const { id } = await manager.createJob({ requests: [request('emit')] });
    await waitForStatus(manager, id, ['completed']);
    expect(seen[0]).toEqual([
      'job:created',
      { id, priority: 3, totalRequests: 1, uniqueRequests: 1, deduplicatedRequests: 0 },
    ]);
    const statuses = seen
      .filter(([name]) => name === 'job:status_changed')
      .map(([, p]) => (p as JobNotifications['job:status_changed']).newStatus);
    expect(statuses).toEqual(['queued', 'processing', 'completed']);
    const last = seen
      .filter(([name]) => name === 'job:progress')
      .at(-1)?.[1] as JobNotifications['job:progress'];
    expect(last.percentComplete).toBe(100);
  });

  it('lists jobs by status, priority level or more urgent, and tag', async () => {
    const manager = bed.manager({ worker: false, tenant: 'lister' });
    const low = await manager.createJob({
      requests: [request('l1')],
      priority: 'LOW',
      tags: ['nightly'],
    });
    const critical = await manager.createJob({
      requests: [request('l2')],
      priority: 1,
      tags: ['urgent', 'x'],
    });
    const normal = await manager.createJob({ requests: [request('l3')], tags: ['x'] });
    const byPriority = await manager.listJobs({ priority: 'NORMAL' });
    expect(byPriority.jobs.map((j) => j.id).sort()).toEqual([critical.id, normal.id].sort());
    const byTag = await manager.listJobs({ tags: ['x'] });
    expect(byTag.total).toBe(2);
    const page = await manager.listJobs({
      limit: 1,
      offset: 1,
      sortBy: 'createdAt',
      sortOrder: 'asc',
    });
    expect(page).toMatchObject({ total: 3, limit: 1, offset: 1 });
    expect(page.jobs.map((j) => j.id)).toEqual([critical.id]);
    const lowNow = (await manager.getJob(low.id))!.status;
    const byStatus = await manager.listJobs({ status: lowNow });
    expect(byStatus.jobs.map((j) => j.id)).toContain(low.id);
    expect(byStatus.jobs.every((j) => j.status === lowNow)).toBe(true);
  });

  it('counts created, completed and deduplicated jobs and tokens in its stats', async () => {
    const manager = bed.manager({ tenant: 'stats' });
    const { id } = await manager.createJob({
      requests: [request('s1'), request('s1-copy', 'question s1')],
    });
    await waitForStatus(manager, id, ['completed']);
    const stats = await manager.getJobStats();
    expect(stats).toMatchObject({
      totalCreated: 1,
      totalCompleted: 1,
      totalDeduplicated: 1,
      queueDepth: 0,
    });
    expect(stats.averageProcessingTime).toBeGreaterThan(0);
    expect(stats.outputTokens).toBeGreaterThan(0);
  });

  it('refuses an invalid job whole, writing nothing', async () => {
    const manager = bed.manager({ worker: false, tenant: 'invalid' });
    await expect(
      manager.createJob({ requests: [request(1), { custom_id: 'bad id!', params: {} }] }),
    ).rejects.toMatchObject({
      type: 'invalid_request_error',
      status: 400,
    });
    expect((await manager.listJobs()).total).toBe(0);
  });

  it('refuses a job with QueueFullError once maxQueueSize jobs wait', async () => {
    const manager = bed.manager({ worker: false, tenant: 'full', maxQueueSize: 2 });
    const waiting = (await manager.getJobStats()).queueDepth;
    const limited = bed.manager({ worker: false, tenant: 'full', maxQueueSize: waiting + 1 });
    await limited.createJob({ requests: [request('q1')] });
    await expect(limited.createJob({ requests: [request('q2')] })).rejects.toMatchObject({
      name: 'QueueFullError',
      status: 429,
    });
    expect(manager).toBeDefined();
  });

  it('answers a repeated idempotency key with the first job, even when both arrive at once', async () => {
    const manager = bed.manager({ worker: false, tenant: 'idempotent' });
    const config = { requests: [request('once')], idempotencyKey: 'order-42' };
    const [a, b] = await Promise.all([manager.createJob(config), manager.createJob(config)]);
    expect(b.id).toBe(a.id);
    expect((await manager.listJobs()).total).toBe(1);
  });

  it('refuses an idempotency key reused for a different job', async () => {
    const manager = bed.manager({ worker: false, tenant: 'idempotent-conflict' });
    await manager.createJob({ requests: [request('first')], idempotencyKey: 'order-43' });
    await expect(
      manager.createJob({ requests: [request('other')], idempotencyKey: 'order-43' }),
    ).rejects.toMatchObject({ name: 'IdempotencyConflictError', status: 409 });
  });

  it('returns null from getJob for a job that does not exist', async () => {
    expect(await bed.manager({ worker: false }).getJob('job_missing')).toBeNull();
  });
});
