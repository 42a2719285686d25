import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/errors.js';
import {
  DEFAULT_LIST_LIMIT,
  LIST_JOBS_SORT_FIELDS,
  MAX_LIST_LIMIT,
  parseListJobsFilter,
} from '../../src/domain/list-jobs.schema.js';

function pathsOf(input: unknown): string[] {
  try {
    parseListJobsFilter(input);
  } catch (error) {
    if (error instanceof ValidationError) return error.issues.map((issue) => issue.path);
    throw error;
  }
  throw new Error('expected the filter to be refused');
}

describe('parseListJobsFilter', () => {
  it('fills in limit 50, offset 0 and newest first', () => {
    expect(parseListJobsFilter({})).toEqual({
      limit: DEFAULT_LIST_LIMIT,
      offset: 0,
      sortBy: 'createdAt',
      sortOrder: 'desc',
    });
  });

  it('treats no input as an empty filter', () => {
    expect(parseListJobsFilter()).toEqual(parseListJobsFilter({}));
  });

  it('reads every filter from query-string values', () => {
    expect(
      parseListJobsFilter({
        status: 'QUEUED',
        priority: 'high',
        tags: 'team:search, nightly',
        limit: '10',
        offset: '20',
        sortBy: 'priority',
        sortOrder: 'asc',
      }),
    ).toEqual({
      status: 'queued',
      priority: 2,
      tags: ['team:search', 'nightly'],
      limit: 10,
      offset: 20,
      sortBy: 'priority',
      sortOrder: 'asc',
    });
  });

  it('takes tags as a list', () => {
    expect(parseListJobsFilter({ tags: ['a', 'b'] }).tags).toEqual(['a', 'b']);
  });

  it('treats null filters, an empty tag list and an empty tags string as no filter', () => {
    for (const input of [
      { status: null, priority: null, tags: null },
      { tags: [] },
      { tags: '' },
      { tags: ' , ' },
    ]) {
      expect(parseListJobsFilter(input)).toEqual(parseListJobsFilter({}));
    }
  });

  it('accepts every sort field', () => {
    for (const sortBy of LIST_JOBS_SORT_FIELDS)
      expect(parseListJobsFilter({ sortBy }).sortBy).toBe(sortBy);
  });

  it('accepts every limit from 1 to 1000, as a number or digits', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_LIST_LIMIT }), fc.boolean(), (limit, asString) => {
        expect(parseListJobsFilter({ limit: asString ? String(limit) : limit }).limit).toBe(limit);
      }),
    );
  });

  it('refuses a limit outside 1..1000 or that is not a whole number', () => {
    for (const limit of [0, 1001, -1, 2.5, '0', '1e3', ' 5', '', true, null]) {
      expect(pathsOf({ limit })).toEqual(['limit']);
    }
  });

  it('refuses a negative or fractional offset', () => {
    for (const offset of [-1, '-1', 0.5]) expect(pathsOf({ offset })).toEqual(['offset']);
  });

  it('refuses an unknown status, priority, sort field or order', () => {
    expect(pathsOf({ status: 'done' })).toEqual(['status']);
    expect(pathsOf({ priority: 6 })).toEqual(['priority']);
    expect(pathsOf({ sortBy: 'id' })).toEqual(['sortBy']);
    expect(pathsOf({ sortOrder: 'DESC' })).toEqual(['sortOrder']);
  });

  it('refuses a malformed tag at its index', () => {
    expect(pathsOf({ tags: 'ok,not ok' })).toEqual(['tags.1']);
  });

  it('refuses unknown keys', () => {
    expect(pathsOf({ sort: 'priority' })).toEqual(['']);
  });
});
