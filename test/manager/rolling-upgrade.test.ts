import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendToStream, readStream } from '../../src/store/event-store.js';
import { request, TestBed, waitForStatus, waitUntil } from '../support/manager.js';

const HOUR = 3_600_000;

describe('a rolling upgrade: old and new instances on one log', () => {
  let bed: TestBed;
  beforeAll(async () => {
    bed = await TestBed.open({ latencyMs: HOUR });
  });
  afterAll(() => bed.close());

  it('an instance that meets an event it does not know lets the job go, writes nothing after it, and goes on with other jobs', async () => {
    const warnings: Array<{ message: string; fields?: Record<string, unknown> }> = [];
    const old = bed.manager({
      tenant: 'upgrade',
      log: (_level, message, fields) => {
        if (message.startsWith('leaving a job')) warnings.push({ message, fields });
      },
    });
    const { id } = await old.createJob({ requests: [request('upgrade-1')] });
    await waitUntil(async () => (await old.getJob(id))?.batches[0]?.status === 'submitted');
    // A newer instance wrote an event of a type this version has never heard of.
    const before = await readStream(bed.database.db, id);
    await bed.database.db.transaction().execute((trx) =>
      appendToStream(trx, id, before.length, [{ type: 'JobTeleported', data: { to: 'mars' } }], {
        instanceId: 'newer-instance',
        tenant: 'upgrade',
        schemaVersion: 3,
      }),
    );
    bed.simulator.clock.advance(HOUR);
    await waitUntil(() => warnings.length > 0);
    expect(warnings[0]!.fields).toMatchObject({ jobId: id, eventType: 'JobTeleported' });
    const after = await readStream(bed.database.db, id);
    expect(after.map((e) => e.type)).toEqual([...before.map((e) => e.type), 'JobTeleported']);
    await waitUntil(async () => {
      const leases = await bed.database.db
        .selectFrom('job_leases')
        .selectAll()
        .where('job_id', '=', id)
        .execute();
      return leases.length === 0;
    });
    // A command on the job is refused with a clear conflict, not a crash.
    await expect(old.pauseJob(id)).rejects.toMatchObject({ name: 'UnknownJobEventError' });
    const other = await old.createJob({ requests: [request('upgrade-2')] });
    await waitUntil(async () => (await old.getJob(other.id))?.batches[0]?.status === 'submitted');
    bed.simulator.clock.advance(HOUR);
    await waitForStatus(old, other.id, ['completed']);
  });
});
