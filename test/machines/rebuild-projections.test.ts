import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobEvent } from '../../src/domain/job.events.js';
import { applyEvents } from '../../src/machines/job-snapshot.js';
import { commitJobEvents, loadJob } from '../../src/machines/job-store.js';
import { rebuildProjections } from '../../src/machines/rebuild-projections.js';
import type { DatabaseHandle } from '../../src/store/create-database.js';
import { openTestDatabase } from '../support/database.js';
import {
  acceptedEvents,
  candidateEvents,
  jobCreated,
  seededRandom,
} from '../support/job-histories.js';

const NO_DIFFERENCES = {
  jobs: { missing: 0, extra: 0 },
  job_batches: { missing: 0, extra: 0 },
  job_stats: { missing: 0, extra: 0 },
};

describe('projections rebuild', () => {
  let handle: DatabaseHandle;
  let eventCount = 0;

  beforeAll(async () => {
    handle = await openTestDatabase();
    const random = seededRandom(2026);
    const start = Date.parse('2026-03-01T00:00:00Z');
    // 200 jobs, each a random walk through what the machine allows, in random-sized appends.
    for (let j = 0; j < 200; j++) {
      const jobId = `job_random${j}`;
      let at = new Date(start + j * 1000);
      await handle.db.transaction().execute((trx) =>
        commitJobEvents(
          trx,
          undefined,
          [jobCreated(jobId, at, 1 + Math.floor(random() * 5), `tenant-${j % 3}`)],
          {
            instanceId: 'random',
          },
        ),
      );
      eventCount += 1;
      const steps = Math.floor(random() * 14);
      let snapshot = (await loadJob(handle.db, jobId))!.snapshot;
      for (let step = 0; step < steps; ) {
        const chunk: JobEvent[] = [];
        const size = 1 + Math.floor(random() * 3);
        let next = snapshot;
        for (let k = 0; k < size && step < steps; k++, step++) {
          at = new Date(at.getTime() + 1000 + Math.floor(random() * 5000));
          const options = acceptedEvents(next, candidateEvents(next, jobId, at));
          if (options.length === 0) break;
          const event = options[Math.floor(random() * options.length)]!;
          chunk.push(event);
          next = applyEvents(next, [event]);
        }
        if (chunk.length === 0) break;
        const job = await handle.db
          .transaction()
          .execute(async (trx) =>
            commitJobEvents(trx, await loadJob(trx, jobId), chunk, { instanceId: 'random' }),
          );
        snapshot = job.snapshot;
        eventCount += chunk.length;
      }
    }
  }, 120_000);
  afterAll(() => handle.close());

  it('replays a random history of 200 jobs into exactly the rows kept live', async () => {
    const report = await rebuildProjections(handle.db, { check: true });
    expect(report).toMatchObject({ streams: 200, events: eventCount, applied: false });
    expect(report.differences).toEqual(NO_DIFFERENCES);
  });

  it('leaves the live rows untouched when only checking', async () => {
    const before = await handle.db
      .selectFrom('jobs')
      .select(['id', 'status', 'version'])
      .orderBy('id')
      .execute();
    await rebuildProjections(handle.db, { check: true });
    const after = await handle.db
      .selectFrom('jobs')
      .select(['id', 'status', 'version'])
      .orderBy('id')
      .execute();
    expect(after).toEqual(before);
  });

  it('finds a read model row that the log does not explain', async () => {
    // Any job the history left a row for (a deleted one has none), its priority changed by hand.
    const row = await handle.db
      .selectFrom('jobs')
      .select(['id', 'priority'])
      .orderBy('id')
      .executeTakeFirstOrThrow();
    await handle.db
      .updateTable('jobs')
      .set({ priority: (row.priority % 5) + 1 })
      .where('id', '=', row.id)
      .execute();
    const report = await rebuildProjections(handle.db, { check: true });
    // The live row is not the one the log makes (missing), and the log's is not there (extra).
    expect(report.differences).toEqual({ ...NO_DIFFERENCES, jobs: { missing: 1, extra: 1 } });
  });

  // Two replays of every history: 12 s on PGlite in CI runs here.
  it('repairs the read models when applied', async () => {
    await rebuildProjections(handle.db);
    expect((await rebuildProjections(handle.db, { check: true })).differences).toEqual(
      NO_DIFFERENCES,
    );
  }, 90_000);
});

describe('projections rebuild, commit by commit', () => {
  it('adds a tenant’s totals commit by commit as the instances did, so costs that binary floats do not add exactly match', async () => {
    const handle = await openTestDatabase();
    try {
      const jobId = 'job_costs';
      const iso = (s: number) =>
        new Date(Date.parse('2026-03-01T00:00:00Z') + s * 1000).toISOString();
      const collected = (batchKey: string, costUsd: number): JobEvent => ({
        type: 'BatchResultsCollected',
        data: {
          batchKey,
          batchId: `msgbatch_${batchKey}`,
          succeeded: 1,
          errored: 0,
          canceled: 0,
          expired: 0,
          retryable: 0,
          usage: { inputTokens: 10, outputTokens: 10, costUsd },
          at: iso(9),
        },
      });
      const batch = (batchKey: string, s: number): JobEvent[] => [
        {
          type: 'BatchSubmissionIntended',
          data: { batchKey, attempt: 1, requestCount: 1, at: iso(s) },
        },
        { type: 'BatchSubmitted', data: { batchKey, batchId: `msgbatch_${batchKey}`, at: iso(s) } },
        { type: 'BatchEnded', data: { batchKey, batchId: `msgbatch_${batchKey}`, at: iso(s + 1) } },
      ];
      // Each commit as an instance makes it; 0.1 + 0.2 is not 0.3 in binary, but is in numeric.
      const commits: JobEvent[][] = [
        [
          jobCreated(jobId, new Date(iso(0)), 2, 'costs'),
          { type: 'JobQueued', data: { at: iso(0) } },
        ],
        [{ type: 'JobStarted', data: { at: iso(1), instanceId: 'a' } }],
        batch('b1', 2),
        [collected('b1', 0.1)],
        batch('b2', 4),
        [collected('b2', 0.2)],
      ];
      let job: Awaited<ReturnType<typeof loadJob>>;
      for (const events of commits) {
        job = await handle.db
          .transaction()
          .execute((trx) => commitJobEvents(trx, job, events, { instanceId: 'a' }));
      }
      const report = await rebuildProjections(handle.db, { check: true });
      expect(report.differences).toEqual(NO_DIFFERENCES);
    } finally {
      await handle.close();
    }
  });
});
