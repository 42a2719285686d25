import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storedBatchResultsDigest } from '../../src/audit/batch-results-digest.js';
import { ResultsDigest } from '../../src/audit/results-digest.js';
import type { DatabaseHandle } from '../../src/store/create-database.js';
import {
  insertRequestResults,
  type NewRequestResult,
} from '../../src/store/jobs/request-results.js';
import { openTestDatabase } from '../support/database.js';

const result = (ordinal: number, text: string): NewRequestResult => ({
  ordinal,
  attempt: 1,
  batchKey: 'b1',
  resultType: 'succeeded',
  errorType: null,
  final: true,
  result: { type: 'succeeded', message: { content: [{ type: 'text', text }] } },
  inputTokens: 3,
  outputTokens: 5,
});

describe('the digest of a batch’s results', () => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await openTestDatabase();
  });
  afterAll(() => handle.close());

  it('is the same computed as results stream by and read back from the table, in any order', async () => {
    // A NUL and a lone surrogate: text jsonb refuses, stored escaped.
    const results = [result(2, 'b\u0000'), result(0, 'a'), result(1, 'lone \ud800 é')];
    await insertRequestResults(handle.db, 'job_digest', results, new Date());
    const streamed = new ResultsDigest();
    for (const r of results) streamed.add(r);
    const stored = await storedBatchResultsDigest(handle.db, 'job_digest', 'b1');
    expect(stored).toEqual({ digest: streamed.digest(), count: 3 });
  });

  it('changes when one result differs', () => {
    const a = new ResultsDigest();
    const b = new ResultsDigest();
    a.add(result(0, 'same'));
    b.add(result(0, 'changed'));
    expect(a.digest()).not.toBe(b.digest());
  });
});
