import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BackgroundFailure } from '../../src/index.js';
import { request, TestBed, waitUntil } from '../support/manager.js';

type Logged = { level: string; message: string; fields: Record<string, unknown> };

describe('failures of work nothing waits for', () => {
  let bed: TestBed;
  beforeAll(async () => {
    bed = await TestBed.open();
  });
  afterEach(async () => {
    await bed.closeManagers();
    bed.simulator.setFaults({ serverErrorRate: 0 });
  });
  afterAll(() => bed.close());

  it('logs a job step that fails at warn, with the job id, while it backs off', async () => {
    const logged: Logged[] = [];
    // Every call to Anthropic answers 500: the job's first submission fails and is retried later.
    bed.simulator.setFaults({ serverErrorRate: 1 });
    const manager = bed.manager({
      log: (level, message, fields = {}) => logged.push({ level, message, fields }),
    });
    const { id } = await manager.createJob({ requests: [request('backs-off')] });
    await waitUntil(() => logged.some((l) => l.message === 'job step failed; backing off'));
    const entry = logged.find((l) => l.message === 'job step failed; backing off')!;
    expect(entry).toMatchObject({ level: 'warn', fields: { jobId: id } });
  });

  it('emits a failed scheduler round as an error event, and logs it at error', async () => {
    const logged: Logged[] = [];
    const manager = bed.manager({
      log: (level, message, fields = {}) => logged.push({ level, message, fields }),
    });
    const failures: BackgroundFailure[] = [];
    manager.on('error', (failure: BackgroundFailure) => failures.push(failure));
    await manager.ready();
    const db = bed.database.db;
    // The leases' table gone: every claim fails until it is back.
    await sql`alter table job_leases rename to job_leases_away`.execute(db);
    try {
      await manager.createJob({ requests: [request('no-claims')] });
      await waitUntil(() => failures.some((f) => f.message === 'scheduler round failed'));
    } finally {
      await sql`alter table job_leases_away rename to job_leases`.execute(db);
    }
    const failure = failures.find((f) => f.message === 'scheduler round failed')!;
    expect(failure).toBeInstanceOf(BackgroundFailure);
    expect(String(failure.fields.error)).toMatch(/job_leases/);
    expect(logged).toContainEqual(
      expect.objectContaining({ level: 'error', message: 'scheduler round failed' }),
    );
  });
});
