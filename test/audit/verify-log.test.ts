import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purgeJobResults } from '../../src/audit/purge-job-results.js';
import { verifyLog } from '../../src/audit/verify-log.js';
import type { Db } from '../../src/store/schema/index.js';
import { request, TestBed, waitForStatus } from '../support/manager.js';

/** Runs SQL as a database owner who bypasses the log's constraints (replica mode skips triggers). */
async function asOwner(db: Db, statement: ReturnType<typeof sql>): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`set local session_replication_role = replica`.execute(trx);
    await statement.execute(trx);
  });
}

describe('audit verify', () => {
  let bed: TestBed;
  const jobs: string[] = [];
  let db: Db;

  beforeAll(async () => {
    bed = await TestBed.open();
    db = bed.database.db;
    const manager = bed.manager();
    for (let j = 0; j < 9; j++) {
      const { id } = await manager.createJob({ requests: [request(`${j}-a`), request(`${j}-b`)] });
      jobs.push(id);
    }
    for (const id of jobs) await waitForStatus(manager, id, ['completed']);
    await bed.closeManagers();
  }, 60_000);
  afterAll(() => bed.close());

  const versionOf = async (jobId: string, type: string) => {
    const { rows } = await sql<{ version: number }>`
      select version from events where stream_id = ${jobId} and type = ${type}`.execute(db);
    return rows[0]!.version;
  };
  const brokenOf = async (jobId: string) => (await verifyLog(db, { jobIds: [jobId] })).broken[0];

  it('verifies a clean log: every stream, every event', async () => {
    const report = await verifyLog(db);
    expect(report.broken).toEqual([]);
    expect(report.streams).toBe(jobs.length);
    expect(report.verdicts.every((v) => v.head?.hash?.length === 64)).toBe(true);
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from events`.execute(db);
    expect(report.events).toBe(rows[0]!.n);
  });

  it('verifies only the streams of the tenant asked for', async () => {
    const tenant = (await sql<{ tenant: string }>`select tenant from jobs limit 1`.execute(db))
      .rows[0]!.tenant;
    expect((await verifyLog(db, { tenant })).streams).toBe(jobs.length);
    expect((await verifyLog(db, { tenant: 'someone-else' })).streams).toBe(0);
  });

  it('reports a row whose data was changed, at its version, with the hash it should have', async () => {
    const job = jobs[0]!;
    const version = await versionOf(job, 'BatchSubmitted');
    await asOwner(
      db,
      sql`update events set data = jsonb_set(data, '{batchId}', '"msgbatch_forged"')
                          where stream_id = ${job} and version = ${version}`,
    );
    const broken = await brokenOf(job);
    expect(broken).toMatchObject({ streamId: job, version, reason: 'hash' });
    expect(broken!.expected).not.toBe(broken!.found);
  });

  it('reports a deleted row where the gap is', async () => {
    const job = jobs[1]!;
    const version = await versionOf(job, 'BatchSubmitted');
    await asOwner(db, sql`delete from events where stream_id = ${job} and version = ${version}`);
    expect(await brokenOf(job)).toMatchObject({
      streamId: job,
      version,
      reason: 'missing-event',
      found: `version ${version + 1}`,
    });
  });

  it('reports two swapped rows at the first of them', async () => {
    const job = jobs[2]!;
    const version = await versionOf(job, 'BatchSubmitted');
    const move = (from: number, to: number) =>
      sql`update events set version = ${to}::int where stream_id = ${job} and version = ${from}::int`;
    // Through a spare version: the unique index is checked row by row.
    await asOwner(db, move(version, 1_000_000));
    await asOwner(db, move(version + 1, version));
    await asOwner(db, move(1_000_000, version + 1));
    // The event now at `version` links to the hash of the one it used to follow.
    expect(await brokenOf(job)).toMatchObject({ streamId: job, version, reason: 'previous-hash' });
  });

  it('reports a forged row appended with a made-up hash', async () => {
    const job = jobs[3]!;
    const { rows } = await sql<{ version: number; hash: Buffer }>`
      select version, hash from events where stream_id = ${job} order by version desc limit 1`.execute(
      db,
    );
    const head = rows[0]!;
    // Linked to the real head, so the database's foreign key lets it in.
    await sql`insert into events (stream_id, version, type, data, metadata, recorded_at, hash, previous_hash)
              values (${job}, ${head.version + 1}, 'JobDeleted', '{"at":"2026-01-01T00:00:00.000Z"}',
                      '{"tenant":"default","instanceId":"forger"}', now(), ${Buffer.alloc(32, 7)}, ${head.hash})`.execute(
      db,
    );
    expect(await brokenOf(job)).toMatchObject({
      streamId: job,
      version: head.version + 1,
      reason: 'hash',
      found: '07'.repeat(32),
    });
  });

  it('refuses, in the database, a row linked to a hash that is not the previous event’s', async () => {
    const job = jobs[4]!;
    const { rows } = await sql<{ version: number }>`
      select max(version) as version from events where stream_id = ${job}`.execute(db);
    const insert = sql`insert into events (stream_id, version, type, data, metadata, hash, previous_hash)
              values (${job}, ${rows[0]!.version + 1}, 'JobDeleted', '{}', '{}',
                      ${Buffer.alloc(32, 1)}, ${Buffer.alloc(32, 2)})`;
    await expect(insert.execute(db)).rejects.toThrow(/events_previous_version/);
  });

  it('reports a stored result changed by hand at the event that accounts for it', async () => {
    const job = jobs[5]!;
    const version = await versionOf(job, 'BatchResultsCollected');
    await sql`update request_results set result = jsonb_set(result, '{type}', '"errored"')
              where job_id = ${job} and ordinal = 1`.execute(db);
    expect(await brokenOf(job)).toMatchObject({ streamId: job, version, reason: 'results-digest' });
  });

  it('verifies a deleted job: its log stays, its read model is gone', async () => {
    const job = jobs[7]!;
    const manager = bed.manager();
    await manager.deleteJob(job);
    await bed.closeManagers();
    expect(await brokenOf(job)).toBeUndefined();
  });

  it('still verifies a job whose result payloads were purged, each kept as its digest', async () => {
    const job = jobs[8]!;
    expect((await purgeJobResults(db, job)).results).toBe(2);
    const { rows } = await sql<{ result: { purged?: boolean; type?: string } }>`
      select result from request_results where job_id = ${job}`.execute(db);
    expect(rows.map((r) => r.result.purged)).toEqual([true, true]);
    expect(rows.some((r) => r.result.type !== undefined)).toBe(false);
    expect(await brokenOf(job)).toBeUndefined();
    // A purged payload is still held to its digest.
    await sql`update request_results set result = jsonb_set(result, '{digest}', '"00"')
              where job_id = ${job} and ordinal = 0`.execute(db);
    expect(await brokenOf(job)).toMatchObject({ reason: 'results-digest' });
  });

  it('reports a read model that is not what the log folds to', async () => {
    const job = jobs[6]!;
    await sql`update jobs set status = 'failed' where id = ${job}`.execute(db);
    expect(await brokenOf(job)).toMatchObject({ streamId: job, reason: 'read-model' });
  });
});
