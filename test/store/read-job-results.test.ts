import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/store/create-database.js';
import {
  iterateJobResultsText,
  type JobResultLine,
  readJobResults,
} from '../../src/store/jobs/read-job-results.js';
import { insertRequestResults, type ResultType } from '../../src/store/jobs/request-results.js';
import type { Db } from '../../src/store/schema/index.js';
import { openTestDatabase } from '../support/database.js';
import { insertJobRow } from '../support/job-row.js';

/** A job of `count` requests; request n's original is `originals[n]` when given. */
async function insertJob(
  db: Db,
  tenant: string,
  id: string,
  count: number,
  originals: Record<number, { jobId: string; ordinal: number }> = {},
) {
  await insertJobRow(db, tenant, id);
  await db
    .insertInto('job_requests')
    .values(
      Array.from({ length: count }, (_, ordinal) => ({
        job_id: id,
        ordinal,
        custom_id: `req-${ordinal}`,
        params: JSON.stringify({ n: ordinal }),
        fingerprint: `${id}-${ordinal}`,
        original_job_id: originals[ordinal]?.jobId ?? null,
        original_ordinal: originals[ordinal]?.ordinal ?? null,
      })),
    )
    .execute();
}

/** Final outcomes for `ordinals`: errored when n % 3 == 0, else succeeded with a reply of `size(n)` characters. */
async function insertOutcomes(
  db: Db,
  jobId: string,
  ordinals: number[],
  size: (n: number) => number = () => 20,
) {
  await insertRequestResults(
    db,
    jobId,
    ordinals.map((ordinal) => {
      const resultType: ResultType = ordinal % 3 === 0 ? 'errored' : 'succeeded';
      return {
        ordinal,
        attempt: 1,
        batchKey: null,
        resultType,
        errorType: resultType === 'errored' ? 'api_error' : null,
        final: true,
        result:
          resultType === 'errored'
            ? { type: 'errored', error: { type: 'error', error: { type: 'api_error' } } }
            : { type: 'succeeded', message: { text: `é${'x'.repeat(size(ordinal))}` } },
        inputTokens: 1,
        outputTokens: 1,
      };
    }),
    new Date(),
  );
}

async function textOf(chunks: AsyncIterable<string>): Promise<{ text: string; chunks: string[] }> {
  const all: string[] = [];
  for await (const chunk of chunks) all.push(chunk);
  return { text: all.join(''), chunks: all };
}

async function allObjects(db: Db, tenant: string, jobId: string, type?: ResultType) {
  const lines: JobResultLine[] = [];
  for (let after = -1; ; ) {
    const page = await readJobResults(db, tenant, jobId, { afterOrdinal: after, limit: 7, type });
    lines.push(...page);
    if (page.length < 7) return lines;
    after = page.at(-1)!.ordinal;
  }
}

const wire = (lines: JobResultLine[]) => lines.map(({ ordinal: _o, ...line }) => line);
const parse = (text: string) =>
  text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as unknown);

describe('reading a job’s results', () => {
  let database: DatabaseHandle;
  beforeAll(async () => {
    database = await openTestDatabase();
    const { db } = database;
    await insertJob(db, 'acme', 'job_first', 30);
    await insertOutcomes(
      db,
      'job_first',
      Array.from({ length: 30 }, (_, n) => n),
    );
    // Two duplicates of job_first's requests, and requests without an outcome yet.
    await insertJob(db, 'acme', 'job_second', 6, {
      1: { jobId: 'job_first', ordinal: 4 },
      4: { jobId: 'job_first', ordinal: 3 },
    });
    await insertOutcomes(db, 'job_second', [0, 2, 3]);
  });
  afterAll(() => database.close());

  it('writes as text exactly the lines the objects make, in request order', async () => {
    const { db } = database;
    const { text } = await textOf(iterateJobResultsText(db, 'acme', 'job_first'));
    expect(text.endsWith('\n')).toBe(true);
    expect(parse(text)).toEqual(wire(await allObjects(db, 'acme', 'job_first')));
    expect(parse(text)).toHaveLength(30);
  });

  it('keeps the stored JSON’s own text: jsonb’s spacing, never serialised again', async () => {
    const { text } = await textOf(iterateJobResultsText(database.db, 'acme', 'job_first'));
    expect(text.split('\n')[1]).toBe(
      `{"custom_id":"req-1","result":{"type": "succeeded", "message": {"text": "é${'x'.repeat(20)}"}}}`,
    );
  });

  it('gives a duplicate its original’s outcome, marked, and skips requests without one', async () => {
    const { db } = database;
    const { text } = await textOf(iterateJobResultsText(db, 'acme', 'job_second'));
    const lines = parse(text);
    expect(lines).toEqual(wire(await allObjects(db, 'acme', 'job_second')));
    expect(lines).toMatchObject([
      { custom_id: 'req-0' },
      { custom_id: 'req-1', _deduplicated: true, _originalJobId: 'job_first' },
      { custom_id: 'req-2' },
      { custom_id: 'req-3' },
      { custom_id: 'req-4', _deduplicated: true, _originalJobId: 'job_first' },
    ]);
    expect(Object.keys(lines[0] as object)).toEqual(['custom_id', 'result']);
  });

  it('keeps only results of the type asked for', async () => {
    const { db } = database;
    const { text } = await textOf(
      iterateJobResultsText(db, 'acme', 'job_first', { type: 'errored' }),
    );
    expect(parse(text)).toEqual(wire(await allObjects(db, 'acme', 'job_first', 'errored')));
    expect(parse(text)).toHaveLength(10);
  });

  it('reads nothing of another tenant’s job, as text or as objects', async () => {
    const { db } = database;
    expect((await textOf(iterateJobResultsText(db, 'globex', 'job_first'))).chunks).toEqual([]);
    expect(await allObjects(db, 'globex', 'job_first')).toEqual([]);
    expect((await textOf(iterateJobResultsText(db, 'acme', 'job_nope'))).chunks).toEqual([]);
  });

  it('keeps each page near its byte budget, however the lines’ sizes change, every line once', async () => {
    const { db } = database;
    // Small lines, then lines of 3 kB, then small again: pages are cut and the span follows.
    await insertJob(db, 'acme', 'job_sizes', 400);
    const size = (n: number) => (n >= 100 && n < 150 ? 3_000 : 40);
    await insertOutcomes(
      db,
      'job_sizes',
      Array.from({ length: 400 }, (_, n) => n),
      size,
    );
    const pageBytes = 8_000;
    const { text, chunks } = await textOf(
      iterateJobResultsText(db, 'acme', 'job_sizes', { pageBytes }),
    );
    expect(parse(text)).toEqual(wire(await allObjects(db, 'acme', 'job_sizes')));
    const longestLine = Math.max(...text.split('\n').map((line) => Buffer.byteLength(line) + 1));
    for (const chunk of chunks) {
      expect(Buffer.byteLength(chunk)).toBeLessThan(pageBytes + longestLine);
      expect(chunk.endsWith('\n')).toBe(true);
    }
  });

  it('reads one line a page when a single line is larger than the budget', async () => {
    const { db } = database;
    const { chunks } = await textOf(
      iterateJobResultsText(db, 'acme', 'job_second', { pageBytes: 10 }),
    );
    expect(chunks).toHaveLength(5);
  });

  it('reads ahead two pages at most, however long the caller takes', async () => {
    let reads = 0;
    const db = database.db.withPlugin({
      transformQuery: (args) => args.node,
      transformResult: async (args) => {
        // Each page's read also sets its transaction's planner settings: not a read.
        const settings = args.result.rows.some((row) => 'set_config' in (row as object));
        if (!settings) reads += 1;
        return args.result;
      },
    });
    // Some 25 pages of 8 kB.
    const pages = iterateJobResultsText(db, 'acme', 'job_sizes', { pageBytes: 8_000 });
    await pages.next();
    // A slow caller: long enough for any page asked for to have been read.
    for (let i = 0; i < 5; i++) await sql`select pg_sleep(0.02)`.execute(database.db);
    // The job's last ordinal, the page taken, and the two after it.
    expect(reads).toBeLessThanOrEqual(4);
    await pages.return(undefined);
  });
});
