import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readStream } from '../../src/store/event-store.js';
import { testPostgresUrl } from '../support/database.js';
import { request, TestBed, waitForStatus, waitUntil } from '../support/manager.js';
import { Instances, startedEvent } from './support/instances.js';

const HOUR = 60 * 60_000;
const NO_FAULTS = { endpoints: { create: { responseLossRate: 0, connectionResetRate: 0 } } };
// The crashing instance never reconciles by itself: what happens next is the survivor's doing.
const NEVER_RECONCILES = { reconcileAfterMs: HOUR, leaseTtlMs: 1000 };

describe.skipIf(!testPostgresUrl())('submissions a crashed instance left unconfirmed', () => {
  let bed: TestBed;
  let instances: Instances;
  beforeEach(async () => {
    bed = await TestBed.open({ latencyMs: HOUR });
    instances = new Instances(bed);
  });
  afterEach(async () => {
    await instances.closeAll();
    await bed.close();
  });

  const db = () => bed.database.db;
  const endBatches = () => bed.simulator.clock.advance(HOUR);
  const intended = (jobId: string) => async () =>
    (await readStream(db(), jobId)).some((e) => e.type === 'BatchSubmissionIntended');
  const eventTypes = async (jobId: string) => (await readStream(db(), jobId)).map((e) => e.type);

  it('adopts the batch Anthropic created for a crashed instance that never heard the answer', async () => {
    bed.simulator.setFaults({ endpoints: { create: { responseLossRate: 1 } } });
    const a = await instances.start({ tenant: 'lost', ...NEVER_RECONCILES });
    const { id } = await a.manager.createJob({ requests: [request('l1'), request('l2')] });
    await waitUntil(intended(id));
    await waitUntil(() => bed.simulator.stats().batchesCreated === 1);
    await a.crash();
    bed.simulator.setFaults(NO_FAULTS);

    const b = await instances.start({ tenant: 'lost' });
    await waitUntil(async () => (await startedEvent(db(), id, b.id)) !== undefined);
    endBatches();
    const job = await waitForStatus(b.manager, id, ['completed', 'failed']);
    expect(job.status).toBe('completed');
    expect(job.progress.completed).toBe(2);
    expect(bed.simulator.stats().batchesCreated).toBe(1);
    expect(bed.simulator.stats().resubmittedAfterSuccess).toBe(0);
    const submitted = (await readStream(db(), id)).find((e) => e.type === 'BatchSubmitted');
    expect(submitted?.data).toMatchObject({ adopted: true });
  });

  it('sends again what a crashed instance intended but Anthropic never received', async () => {
    bed.simulator.setFaults({ endpoints: { create: { connectionResetRate: 1 } } });
    const a = await instances.start({ tenant: 'never', ...NEVER_RECONCILES });
    const { id } = await a.manager.createJob({ requests: [request('n1')] });
    await waitUntil(intended(id));
    await waitUntil(() => bed.simulator.stats().faultsInjected.connection_reset > 0);
    await a.crash();
    bed.simulator.setFaults(NO_FAULTS);

    const b = await instances.start({ tenant: 'never' });
    await waitUntil(async () => (await eventTypes(id)).includes('BatchSubmitted'));
    endBatches();
    expect((await waitForStatus(b.manager, id, ['completed', 'failed'])).status).toBe('completed');
    expect(bed.simulator.stats().batchesCreated).toBe(1);
    expect(await eventTypes(id)).toEqual([
      'JobCreated',
      'JobQueued',
      'JobStarted',
      'BatchSubmissionIntended',
      'JobStarted',
      'BatchSubmissionAbandoned',
      'BatchSubmissionIntended',
      'BatchSubmitted',
      'BatchEnded',
      'BatchResultsCollected',
      'JobCompleted',
    ]);
  });

  it('waits out a stale owner’s creation that is still out, and adopts its batch instead of sending again', async () => {
    // The create call of the first owner takes 4 s to be answered (Anthropic creates the batch
    // at the end of it); the next owner looks at Anthropic long before then.
    bed.simulator.setFaults({ endpoints: { create: { slowRate: 1 } }, slowMs: 4000 });
    const a = await instances.start({
      tenant: 'slow-create',
      ...NEVER_RECONCILES,
      submitTimeoutMs: 60_000,
    });
    const { id } = await a.manager.createJob({ requests: [request('s1')] });
    await waitUntil(intended(id));
    await waitUntil(() => bed.simulator.stats().faultsInjected.slow > 0);
    await a.crash();
    bed.simulator.setFaults({ endpoints: { create: { slowRate: 0 } } });

    const b = await instances.start({ tenant: 'slow-create', submitTimeoutMs: 6000 });
    await waitUntil(async () => (await eventTypes(id)).includes('BatchSubmitted'));
    endBatches();
    expect((await waitForStatus(b.manager, id, ['completed', 'failed'])).status).toBe('completed');
    expect(bed.simulator.stats().batchesCreated).toBe(1);
    expect(bed.simulator.stats().resubmittedAfterSuccess).toBe(0);
    const types = await eventTypes(id);
    expect(types).not.toContain('BatchSubmissionAbandoned');
    const submitted = (await readStream(db(), id)).find((e) => e.type === 'BatchSubmitted');
    expect(submitted?.data).toMatchObject({ adopted: true });
  });

  it('gives each of two unconfirmed submissions of the same size its own batch', async () => {
    bed.simulator.setFaults({ endpoints: { create: { responseLossRate: 1 } } });
    const a = await instances.start({ tenant: 'twins', ...NEVER_RECONCILES });
    const first = (await a.manager.createJob({ requests: [request('x1'), request('x2')] })).id;
    await waitUntil(() => bed.simulator.stats().batchesCreated === 1);
    const second = (await a.manager.createJob({ requests: [request('y1'), request('y2')] })).id;
    await waitUntil(() => bed.simulator.stats().batchesCreated === 2);
    await a.crash();
    bed.simulator.setFaults(NO_FAULTS);

    const b = await instances.start({ tenant: 'twins' });
    for (const id of [first, second]) {
      await waitUntil(async () => (await startedEvent(db(), id, b.id)) !== undefined);
    }
    endBatches();
    for (const [id, names] of [
      [first, ['req-x1', 'req-x2']],
      [second, ['req-y1', 'req-y2']],
    ] as const) {
      await waitUntil(async () => (await eventTypes(id)).includes('BatchResultsCollected'));
      const collected = (await readStream(db(), id)).find(
        (e) => e.type === 'BatchResultsCollected',
      );
      expect(collected?.data).toMatchObject({ succeeded: 2 });
      expect((await waitForStatus(b.manager, id, ['completed'])).progress.completed).toBe(2);
      const { results } = (await b.manager.getJobResults(id))!;
      expect(Object.keys(results).sort()).toEqual(names);
    }
    expect(bed.simulator.stats().batchesCreated).toBe(2);
    expect(bed.simulator.stats().resubmittedAfterSuccess).toBe(0);
  });
});
