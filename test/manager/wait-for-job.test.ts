import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { JobWaitTimeoutError, NotFoundError } from '../../src/index.js';
import { request, TestBed } from '../support/manager.js';

describe('waitForJob', () => {
  let bed: TestBed;
  beforeAll(async () => {
    bed = await TestBed.open();
  });
  afterEach(() => bed.closeManagers());
  afterAll(() => bed.close());

  it('resolves with the job once it has completed', async () => {
    const manager = bed.manager();
    const { id } = await manager.createJob({ requests: [request('w1'), request('w2')] });
    const job = await manager.waitForJob(id);
    expect(job).toMatchObject({ id, status: 'completed' });
    expect(job.progress).toMatchObject({ total: 2, completed: 2, percentComplete: 100 });
  });

  it('resolves at once with a job that has already ended', async () => {
    const manager = bed.manager();
    const { id } = await manager.createJob({ requests: [request('w3')] });
    await manager.waitForJob(id);
    await expect(manager.waitForJob(id, { timeoutMs: 0 })).resolves.toMatchObject({
      id,
      status: 'completed',
    });
  });

  it('resolves with a cancelled job: every ended status ends the wait', async () => {
    const manager = bed.manager({ worker: false });
    const { id } = await manager.createJob({ requests: [request('w4')] });
    const waiting = manager.waitForJob(id);
    await manager.cancelJob(id);
    await expect(waiting).resolves.toMatchObject({ id, status: 'cancelled' });
  });

  it('sees the job end when another instance processes it', async () => {
    const waiter = bed.manager({ worker: false });
    const { id } = await waiter.createJob({ requests: [request('w5')] });
    const waiting = waiter.waitForJob(id);
    await bed.manager().ready(); // a second instance, whose worker claims and completes it
    await expect(waiting).resolves.toMatchObject({ id, status: 'completed' });
  });

  it('resolves every wait when many run at once, with one listener on the manager', async () => {
    const manager = bed.manager({ worker: false });
    const ids: string[] = [];
    for (let n = 0; n < 15; n += 1) {
      ids.push((await manager.createJob({ requests: [request(`many-${n}`)] })).id);
    }
    const waiting = ids.map((id) => manager.waitForJob(id));
    for (const id of ids) await manager.cancelJob(id);
    const jobs = await Promise.all(waiting);
    expect(jobs.map((job) => job.status)).toEqual(ids.map(() => 'cancelled'));
    expect(manager.listenerCount('job:status_changed')).toBe(1);
  });

  it('rejects with a JobWaitTimeoutError when the job has not ended in time', async () => {
    const manager = bed.manager({ worker: false });
    const { id } = await manager.createJob({ requests: [request('w6')] });
    const error = await manager.waitForJob(id, { timeoutMs: 50 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JobWaitTimeoutError);
    expect(error).toMatchObject({ jobId: id, timeoutMs: 50, lastStatus: 'queued' });
  });

  it('rejects with the signal’s reason when the signal aborts', async () => {
    const manager = bed.manager({ worker: false });
    const { id } = await manager.createJob({ requests: [request('w7')] });
    const controller = new AbortController();
    const waiting = manager.waitForJob(id, { signal: controller.signal });
    const reason = new Error('the caller gave up');
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
  });

  it('rejects at once when the signal has already aborted', async () => {
    const manager = bed.manager({ worker: false });
    const { id } = await manager.createJob({ requests: [request('w8')] });
    await expect(manager.waitForJob(id, { signal: AbortSignal.abort('no') })).rejects.toBe('no');
  });

  it('rejects with a NotFoundError for a job that does not exist', async () => {
    const manager = bed.manager({ worker: false });
    await expect(manager.waitForJob('job_missing')).rejects.toBeInstanceOf(NotFoundError);
  });
});
