import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/anthropic/simulator/index.js';
import { ServeInstance } from '../chaos/support/serve-instance.js';
import { createTestDatabaseUrl, dropTestDatabase, testPostgresUrl } from '../support/database.js';
import { request, waitUntil } from '../support/manager.js';
import { hasPgBouncer, type PgBouncer, startPgBouncer } from './support/pgbouncer.js';
import { freePort } from './support/private-postgres.js';

const JOBS = 30;

describe.skipIf(!testPostgresUrl() || !hasPgBouncer())(
  'behind PgBouncer in transaction mode',
  () => {
    let simulator: RunningSimulator;
    let bouncer: PgBouncer;
    let directUrl: string;
    const instances: ServeInstance[] = [];
    beforeAll(async () => {
      simulator = await startSimulator({ latencyMs: 50 });
      directUrl = await createTestDatabaseUrl();
      const server = new URL(directUrl);
      bouncer = await startPgBouncer({ host: server.hostname, port: Number(server.port || 5432) });
      // Two serve processes start here, not in the test: on a loaded machine each start takes
      // seconds, and the test's bound is for the jobs.
      for (const name of ['pooled-a', 'pooled-b']) {
        const instance = new ServeInstance(
          name,
          await freePort(),
          {
            DATABASE_URL: bouncer.through(directUrl),
            BATCHKEEPER_LISTEN_URL: directUrl,
            BATCHKEEPER_PREPARED_STATEMENTS: 'off',
            ANTHROPIC_API_KEY: 'test-key',
            ANTHROPIC_BASE_URL: simulator.url,
            BATCHKEEPER_INSTANCE_ID: name,
            BATCHKEEPER_POLL_INTERVAL_MS: '50',
            BATCHKEEPER_POLL_MAX_MS: '200',
            LOG_LEVEL: 'warn',
          },
          '/dev/null',
        );
        instances.push(instance);
        await instance.start();
      }
    }, 120_000);
    afterAll(async () => {
      await Promise.all(instances.map((i) => i.retire()));
      await bouncer?.stop();
      await dropTestDatabase(directUrl);
      await simulator.stop();
    });

    it('two instances take every job to the end with no 500, LISTENing on a direct connection', async () => {
      const statuses: number[] = [];
      const ids: string[] = [];
      for (let i = 0; i < JOBS; i++) {
        const response = await fetch(`${instances[i % 2]!.url}/v1/jobs`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ requests: [request(`pooled-${i}`), request(`pooled-${i}-b`)] }),
        });
        statuses.push(response.status);
        if (response.status === 201) ids.push(((await response.json()) as { id: string }).id);
      }
      expect(statuses).toEqual(Array(JOBS).fill(201));
      await waitUntil(async () => {
        const response = await fetch(`${instances[0]!.url}/v1/jobs?status=completed&limit=100`);
        return ((await response.json()) as { total: number }).total === JOBS;
      });
    }, 90_000);
  },
);
