import { describe, expect, it } from 'vitest';
import { formatDuration, relativeTime } from '../../src/cli/time-format.js';

const NOW = Date.parse('2030-01-01T12:00:00.000Z');

describe('relativeTime', () => {
  it.each([
    ['2030-01-01T12:00:00.500Z', 'just now'],
    ['2030-01-01T11:59:48.000Z', '12 seconds ago'],
    ['2030-01-01T11:57:00.000Z', '3 minutes ago'],
    ['2030-01-01T09:00:00.000Z', '3 hours ago'],
    ['2029-12-31T12:00:00.000Z', 'yesterday'],
    ['2029-12-25T12:00:00.000Z', '7 days ago'],
    ['2030-01-01T14:00:00.000Z', 'in 2 hours'],
  ])('says %s as "%s"', (at, said) => {
    expect(relativeTime(at, NOW)).toBe(said);
  });

  it('answers what it was given when it is not a time', () => {
    expect(relativeTime('not a time', NOW)).toBe('not a time');
  });
});

describe('formatDuration', () => {
  it.each([
    [400, '0s'],
    [12_000, '12s'],
    [185_000, '3m05s'],
    [7_380_000, '2h03m'],
  ])('writes %i ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
