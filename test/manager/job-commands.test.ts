import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { IllegalTransitionError, NotFoundError } from '../../src/domain/errors.js';
import { streamVersion } from '../../src/store/event-store.js';
import { request, TestBed, waitForStatus, waitUntil } from '../support/manager.js';

const HOUR = 60 * 60_000;

describe('pause, resume and cancel', () => {
  let bed: TestBed;
  beforeAll(async () => {
    // Batches take an hour of simulator time: they end only when the test moves its clock.
    bed = await TestBed.open({ latencyMs: HOUR });
  });
  afterEach(() => bed.closeManagers());
  afterAll(() => bed.close());

  const submitted = async (tenant: string, count = 2) => {
    const manager = bed.manager({ tenant });
    const requests = Array.from({ length: count }, (_, i) => request(`${tenant}-${i}`));
    const { id } = await manager.createJob({ requests });
    await waitUntil(
      async () => ((await manager.getJob(id))?.batches[0]?.status ?? '') === 'submitted',
    );
    return { manager, id };
  };

  it('cancels a queued job at once, every request cancelled', async () => {
    const manager = bed.manager({ tenant: 'cancel-queued', worker: false });
    const { id } = await manager.createJob({ requests: [request('cq')] });
    const result = await manager.cancelJob(id);
    expect(result).toEqual({ id, previousStatus: 'queued', status: 'cancelled', cancelled: true });
    const { results } = (await manager.getJobResults(id))!;
    expect(results['req-cq']?.result).toEqual({ type: 'canceled' });
  });

  it('cancels a processing job’s batch at Anthropic and ends cancelled, keeping what succeeded', async () => {
    const { manager, id } = await submitted('cancel-processing');
    const result = await manager.cancelJob(id);
    expect(result).toMatchObject({
      previousStatus: 'processing',
      status: 'processing',
      cancelled: false,
    });
    const job = await waitForStatus(manager, id, ['cancelled']);
    expect(job.progress.cancelled).toBe(2);
    const { results } = (await manager.getJobResults(id))!;
    expect(Object.values(results).map((r) => r.result.type)).toEqual(['canceled', 'canceled']);
  });

  it('pauses a processing job, still collects its batch, and completes once resumed', async () => {
    const { manager, id } = await submitted('pause');
    expect(await manager.pauseJob(id)).toEqual({
      id,
      previousStatus: 'processing',
      status: 'paused',
    });
    bed.simulator.clock.advance(HOUR);
    await waitUntil(
      async () => ((await manager.getJob(id))?.batches[0]?.status ?? '') === 'collected',
    );
    expect((await manager.getJob(id))?.status).toBe('paused');
    expect(await manager.resumeJob(id)).toEqual({
      id,
      previousStatus: 'paused',
      status: 'processing',
    });
    await waitForStatus(manager, id, ['completed']);
  });

  it('gives its slot back while paused with nothing on the way, and is picked up again once resumed', async () => {
    const manager = bed.manager({ tenant: 'slot', maxConcurrentJobs: 1 });
    const leases = async () =>
      (
        await bed.database.db
          .selectFrom('job_leases')
          .select('job_id')
          .where('owner', '=', manager.instanceId)
          .execute()
      ).map((lease) => lease.job_id);
    const first = await manager.createJob({ requests: [request('slot-a')] });
    await waitUntil(
      async () => (await manager.getJob(first.id))?.batches[0]?.status === 'submitted',
    );
    await manager.pauseJob(first.id);
    bed.simulator.clock.advance(HOUR);
    await waitUntil(
      async () => (await manager.getJob(first.id))?.batches[0]?.status === 'collected',
    );
    // Paused with nothing on the way: its lease, and so the instance's one slot, is given back.
    await waitUntil(async () => (await leases()).length === 0);
    expect((await manager.getJob(first.id))?.status).toBe('paused');

    const second = await manager.createJob({ requests: [request('slot-b')] });
    await waitUntil(
      async () => (await manager.getJob(second.id))?.batches[0]?.status === 'submitted',
    );
    expect(await leases()).toEqual([second.id]);
    await manager.resumeJob(first.id);
    bed.simulator.clock.advance(HOUR);
    const secondDone = await waitForStatus(manager, second.id, ['completed']);
    const firstDone = await waitForStatus(manager, first.id, ['completed']);
    expect(firstDone.progress).toMatchObject({ total: 1, completed: 1 });
    // Picked up again once the second had given the one slot back: it finished after it.
    expect(Date.parse(firstDone.completedAt!)).toBeGreaterThanOrEqual(
      Date.parse(secondDone.completedAt!),
    );
  });

  it('refuses to pause a completed job and appends nothing', async () => {
    const manager = bed.manager({ tenant: 'illegal-pause' });
    const { id } = await manager.createJob({ requests: [request('ip')] });
    await waitUntil(
      async () => ((await manager.getJob(id))?.batches[0]?.status ?? '') === 'submitted',
    );
    bed.simulator.clock.advance(HOUR);
    await waitForStatus(manager, id, ['completed']);
    const version = await streamVersion(bed.database.db, id);
    await expect(manager.pauseJob(id)).rejects.toBeInstanceOf(IllegalTransitionError);
    expect(await streamVersion(bed.database.db, id)).toBe(version);
  });

  it('refuses to resume a queued job', async () => {
    const manager = bed.manager({ tenant: 'illegal-resume', worker: false });
    const { id } = await manager.createJob({ requests: [request('ir')] });
    await expect(manager.resumeJob(id)).rejects.toMatchObject({
      status: 409,
      message: 'cannot resume a job that is queued',
    });
  });

  it('refuses to cancel a job twice once it has ended', async () => {
    const manager = bed.manager({ tenant: 'double-cancel', worker: false });
    const { id } = await manager.createJob({ requests: [request('dc')] });
    await manager.cancelJob(id);
    await expect(manager.cancelJob(id)).rejects.toBeInstanceOf(IllegalTransitionError);
  });

  it('deletes a job: gone from reads, its events kept', async () => {
    const manager = bed.manager({ tenant: 'delete', worker: false });
    const { id } = await manager.createJob({ requests: [request('del')] });
    expect(await manager.deleteJob(id)).toEqual({ id, deleted: true, previousStatus: 'queued' });
    expect(await manager.getJob(id)).toBeNull();
    expect((await manager.listJobs()).total).toBe(0);
    expect(await streamVersion(bed.database.db, id)).toBe(3);
    await expect(manager.cancelJob(id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('does not let one tenant touch another’s job', async () => {
    const owner = bed.manager({ tenant: 'owner', worker: false });
    const stranger = bed.manager({ tenant: 'stranger', worker: false });
    const { id } = await owner.createJob({ requests: [request('mine')] });
    await expect(stranger.cancelJob(id)).rejects.toBeInstanceOf(NotFoundError);
    expect(await stranger.getJob(id)).toBeNull();
  });

  it('records results and errors given by hand, and refuses a second final result', async () => {
    const manager = bed.manager({ tenant: 'by-hand', worker: false });
    const { id } = await manager.createJob({ requests: [request('h1'), request('h2')] });
    await manager.addResult(id, 'req-h1', {
      type: 'succeeded',
      message: { content: [{ type: 'text', text: 'hi' }] },
    });
    await manager.addError(id, 'req-h2', { type: 'invalid_request_error', message: 'bad' });
    await expect(manager.addResult(id, 'req-h1', {})).rejects.toMatchObject({ status: 409 });
    const job = (await manager.getJob(id))!;
    expect(job.progress).toMatchObject({ completed: 1, failed: 1 });
    expect(job.errors[0]).toMatchObject({
      customId: 'req-h2',
      type: 'invalid_request_error',
      message: 'bad',
    });
  });

  it('changes status through updateJobStatus only where the machine allows', async () => {
    const manager = bed.manager({ tenant: 'set-status', worker: false });
    const { id } = await manager.createJob({ requests: [request('s')] });
    await expect(manager.updateJobStatus(id, 'completed')).rejects.toBeInstanceOf(
      IllegalTransitionError,
    );
    const failed = await manager.updateJobStatus(id, 'FAILED', { reason: 'operator gave up' });
    expect(failed).toMatchObject({ status: 'failed', failureReason: 'operator gave up' });
  });

  it('reports progress given by hand with its percentage', async () => {
    const manager = bed.manager({ tenant: 'progress', worker: false });
    const { id } = await manager.createJob({
      requests: [request('p1'), request('p2'), request('p3'), request('p4')],
    });
    await manager.updateJobStatus(id, 'processing');
    const progress = await manager.updateProgress(id, { completed: 1, failed: 1, pending: 2 });
    expect(progress).toMatchObject({ total: 4, completed: 1, failed: 1, percentComplete: 50 });
  });
});
