import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/errors.js';
import {
  isPriority,
  PRIORITIES,
  PRIORITY_NAMES,
  Priority,
  PrioritySchema,
  parsePriority,
  priorityName,
  toPriority,
} from '../../src/domain/priority.js';

describe('Priority', () => {
  it('numbers the levels from CRITICAL 1 to BACKGROUND 5', () => {
    expect(Priority).toEqual({ CRITICAL: 1, HIGH: 2, NORMAL: 3, LOW: 4, BACKGROUND: 5 });
    expect(PRIORITIES).toEqual([1, 2, 3, 4, 5]);
  });

  it('names each level', () => {
    expect(PRIORITIES.map(priorityName)).toEqual([
      'CRITICAL',
      'HIGH',
      'NORMAL',
      'LOW',
      'BACKGROUND',
    ]);
  });

  it('recognises only the integers 1 to 5 as priorities', () => {
    expect(PRIORITIES.every(isPriority)).toBe(true);
    for (const value of [0, 6, 2.5, '2', null, undefined, Number.NaN]) {
      expect(isPriority(value)).toBe(false);
    }
  });
});

describe('parsePriority', () => {
  it('accepts the numbers 1 to 5', () => {
    for (const priority of PRIORITIES) expect(parsePriority(priority)).toBe(priority);
  });

  it('accepts numeric strings', () => {
    expect(parsePriority('1')).toBe(1);
    expect(parsePriority('5')).toBe(5);
  });

  it('accepts a name in any case', () => {
    expect(parsePriority('HIGH')).toBe(2);
    expect(parsePriority('high')).toBe(2);
    expect(parsePriority('Background')).toBe(5);
  });

  it('round-trips every name through priorityName', () => {
    for (const priority of PRIORITIES) expect(parsePriority(priorityName(priority))).toBe(priority);
  });

  it('refuses numbers outside 1..5 and fractions', () => {
    for (const input of [0, 6, -1, 2.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => parsePriority(input)).toThrow(ValidationError);
    }
  });

  it('refuses strings that are not a level', () => {
    for (const input of ['', '0', '6', '02', ' 2', '2.0', 'urgent', 'constructor']) {
      expect(() => parsePriority(input)).toThrow(ValidationError);
    }
  });

  it('refuses values that are neither numbers nor strings', () => {
    for (const input of [null, undefined, true, {}, [2]]) {
      expect(() => parsePriority(input)).toThrow(/must be a priority 1\.\.5 or one of CRITICAL/);
    }
  });

  it('refuses every integer outside 1..5', () => {
    fc.assert(
      fc.property(
        fc.integer().filter((n) => n < 1 || n > 5),
        (n) => {
          expect(() => parsePriority(n)).toThrow(ValidationError);
        },
      ),
    );
  });
});

describe('PrioritySchema', () => {
  it('outputs the number for a name', () => {
    expect(PrioritySchema.parse('low')).toBe(4);
  });

  it('reports a bad value at the path it was found', () => {
    const result = PrioritySchema.safeParse('urgent');
    expect(result.error?.issues.map((issue) => issue.path)).toEqual([[]]);
  });
});

describe('toPriority', () => {
  it('reads a number, a numeric string or a name in any case', () => {
    expect([3, '3', 'normal', 'NORMAL', 'Normal'].map(toPriority)).toEqual([3, 3, 3, 3, 3]);
  });

  it('gives undefined for anything else', () => {
    expect([0, 6, 2.5, '0', '05', 'urgent', ''].map(toPriority)).toEqual(Array(7).fill(undefined));
  });

  it('knows the names most urgent first', () => {
    expect(PRIORITY_NAMES).toEqual(['CRITICAL', 'HIGH', 'NORMAL', 'LOW', 'BACKGROUND']);
  });
});
