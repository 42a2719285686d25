import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/anthropic/simulator/index.js';
import { createDatabase, type DatabaseHandle } from '../../src/store/create-database.js';
import { readStream } from '../../src/store/event-store.js';
import { ServeInstance } from '../chaos/support/serve-instance.js';
import { createTestDatabaseUrl, dropTestDatabase, testPostgresUrl } from '../support/database.js';
import { request, waitUntil } from '../support/manager.js';
import { freePort } from './support/private-postgres.js';

const HOUR = 60 * 60_000;
const TIMINGS = {
  BATCHKEEPER_LEASE_TTL_MS: '1000',
  BATCHKEEPER_SCHEDULER_INTERVAL_MS: '50',
  BATCHKEEPER_POLL_INTERVAL_MS: '100',
  BATCHKEEPER_POLL_MAX_MS: '500',
  BATCHKEEPER_RECONCILE_AFTER_MS: '500',
};

describe.skipIf(!testPostgresUrl())('serve processes that are killed or told to stop', () => {
  let simulator: RunningSimulator;
  let databaseUrl: string;
  let database: DatabaseHandle;
  const instances: ServeInstance[] = [];
  beforeAll(async () => {
    simulator = await startSimulator({ latencyMs: HOUR });
    databaseUrl = await createTestDatabaseUrl();
    database = await createDatabase({ databaseUrl, poolSize: 2 });
  });
  // Each test's processes only: none of them may claim the next test's job.
  afterEach(async () => {
    await Promise.all(instances.splice(0).map((i) => i.retire()));
  });
  afterAll(async () => {
    await database.close();
    await dropTestDatabase(databaseUrl);
    await simulator.stop();
  });

  const serve = async (name: string, env: Record<string, string> = {}) => {
    const instance = new ServeInstance(
      name,
      await freePort(),
      {
        DATABASE_URL: databaseUrl,
        ANTHROPIC_API_KEY: 'test-key',
        ANTHROPIC_BASE_URL: simulator.url,
        BATCHKEEPER_INSTANCE_ID: name,
        LOG_LEVEL: 'warn',
        ...TIMINGS,
        ...env,
      },
      '/dev/null',
    );
    instances.push(instance);
    await instance.start();
    return instance;
  };

  it('leaves a batch Anthropic created that the next instance adopts, sending nothing twice', async () => {
    // Every create waits at Anthropic before it is handled: the kill lands in that wait,
    // and Anthropic goes on to create the batch for a caller that is gone.
    simulator.setFaults({ endpoints: { create: { slowRate: 1 } }, slowMs: HOUR });
    const doomed = await serve('doomed');
    const response = await fetch(`${doomed.url}/v1/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ requests: [request('k1'), request('k2')] }),
    });
    const { id } = (await response.json()) as { id: string };
    await waitUntil(async () => (await types(id)).includes('BatchSubmissionIntended'));
    await waitUntil(() => simulator.stats().faultsInjected.slow === 1);

    expect(await doomed.kill('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
    await waitUntil(() => simulator.stats().batchesCreated === 1);
    simulator.setFaults({ endpoints: { create: { slowRate: 0 } } });

    await serve('survivor');
    await waitUntil(async () => (await types(id)).includes('BatchSubmitted'));
    simulator.clock.advance(HOUR);
    await waitUntil(async () => (await types(id)).includes('JobCompleted'));
    const events = await readStream(database.db, id);
    expect(events.find((e) => e.type === 'BatchSubmitted')?.data).toMatchObject({ adopted: true });
    expect(events.filter((e) => e.type === 'JobStarted').map((e) => e.metadata.instanceId)).toEqual(
      ['doomed', 'survivor'],
    );
    expect(simulator.stats()).toMatchObject({ batchesCreated: 1, resubmittedAfterSuccess: 0 });
  }, 120_000);

  it('on SIGTERM finishes its step, hands its leases over and exits 0; another instance carries on at once', async () => {
    // Leases that would last a minute: only the handover lets the other instance in sooner.
    const minute = { BATCHKEEPER_LEASE_TTL_MS: '60000' };
    const leaving = await serve('leaving', minute);
    const response = await fetch(`${leaving.url}/v1/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ requests: [request('t1')] }),
    });
    const { id } = (await response.json()) as { id: string };
    await waitUntil(async () => (await types(id)).includes('BatchSubmitted'));
    const staying = await serve('staying', minute);

    const stoppedAt = Date.now();
    expect(await leaving.kill('SIGTERM')).toEqual({ code: 0, signal: null });
    await waitUntil(async () => (await startedBy(id)).includes('staying'));
    const taken = (await readStream(database.db, id)).find(
      (e) => e.type === 'JobStarted' && e.metadata.instanceId === 'staying',
    )!;
    console.log(
      `SIGTERM to takeover by the other process (lease TTL 60000 ms): ${taken.recordedAt.getTime() - stoppedAt} ms`,
    );
    simulator.clock.advance(HOUR);
    await waitUntil(async () => (await types(id)).includes('JobCompleted'));
    expect(await startedBy(id)).toEqual(['leaving', 'staying']);
    expect(staying.running).toBe(true);
  }, 120_000);

  async function startedBy(jobId: string): Promise<string[]> {
    return (await readStream(database.db, jobId))
      .filter((e) => e.type === 'JobStarted')
      .map((e) => e.metadata.instanceId);
  }

  async function types(jobId: string): Promise<string[]> {
    return (await readStream(database.db, jobId)).map((e) => e.type);
  }
});
