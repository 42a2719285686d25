import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/anthropic/simulator/index.js';
import { BatchJobManager } from '../../src/index.js';
import { createDatabase, type DatabaseHandle } from '../../src/store/create-database.js';
import { migrate } from '../../src/store/migrate.js';
import { buildTestApp } from '../http/test-app.js';
import { testPostgresUrl } from '../support/database.js';
import { FAST, request, waitForStatus, waitUntil } from '../support/manager.js';
import {
  startWebhookReceiver,
  type WebhookReceiver,
} from '../webhooks/support/webhook-receiver.js';
import { type PrivatePostgres, startPrivatePostgres } from './support/private-postgres.js';

const HOUR = 60 * 60_000;
const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

// A cluster of its own: stopping it must not disturb the other test files' databases.
describe.skipIf(!testPostgresUrl())('an instance whose Postgres goes away and comes back', () => {
  let postgres: PrivatePostgres;
  let database: DatabaseHandle;
  let simulator: RunningSimulator;
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    postgres = await startPrivatePostgres();
    database = await createDatabase({ databaseUrl: postgres.url, poolSize: 10 });
    await migrate(database.db);
    simulator = await startSimulator({ latencyMs: HOUR });
    receiver = await startWebhookReceiver();
  }, 60_000);
  afterAll(async () => {
    await receiver?.close();
    await simulator?.stop();
    await database?.close();
    await postgres?.destroy();
  });

  it('reports not ready meanwhile, then finishes its jobs and sends their webhooks, sending no batch twice', async () => {
    const failures: string[] = [];
    const manager = new BatchJobManager({
      ...FAST,
      instanceId: 'outage-survivor',
      database,
      anthropic: { apiKey: 'test-key', baseURL: simulator.url },
      webhookAllow: '127.0.0.1',
      log: (level, message) => {
        if (level !== 'info' || message.includes('failed') || message.includes('could not')) {
          failures.push(message);
        }
      },
    });
    const { app } = buildTestApp(database);
    try {
      const ids = [];
      for (const n of [1, 2, 3]) {
        const job = await manager.createJob({
          requests: [request(`pg${n}a`), request(`pg${n}b`)],
          callbackUrl: receiver.url,
          webhookSecret: SECRET,
        });
        ids.push(job.id);
      }
      await waitUntil(() => simulator.stats().batchesCreated === 3);

      await postgres.stop();
      expect((await app.request('/readyz')).status).toBe(503);
      // Every loop meets the outage (scheduler, heartbeat, job steps) before Postgres returns.
      await waitUntil(() => failures.length >= 5);
      simulator.clock.advance(HOUR);
      await postgres.start();
      await waitUntil(async () => (await app.request('/readyz')).status === 200);

      for (const id of ids) {
        expect((await waitForStatus(manager, id, ['completed', 'failed'])).status).toBe(
          'completed',
        );
      }
      await waitUntil(() => receiver.received.length >= 3);
      const verifier = new Webhook(SECRET);
      const delivered = receiver.received.map(
        (r) => verifier.verify(r.body, r.webhookHeaders) as { type: string; data: { id: string } },
      );
      expect(delivered.map((d) => d.type)).toEqual(ids.map(() => 'job.completed'));
      expect(delivered.map((d) => d.data.id).sort()).toEqual([...ids].sort());
      expect(simulator.stats().batchesCreated).toBe(3);
      expect(simulator.stats().resubmittedAfterSuccess).toBe(0);
      console.log(`loop failures logged during the outage: ${failures.length}`);
    } finally {
      await manager.close();
    }
  });
});
