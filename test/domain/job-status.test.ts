import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/errors.js';
import {
  ACTIVE_STATUSES,
  isTerminalStatus,
  JOB_STATUSES,
  JobStatus,
  JobStatusSchema,
  parseJobStatus,
  TERMINAL_STATUSES,
} from '../../src/domain/job-status.js';

describe('JobStatus', () => {
  it('uses the lower-case word as the wire value', () => {
    expect(JobStatus.COMPLETED).toBe('completed');
    expect(JOB_STATUSES).toEqual([
      'pending',
      'queued',
      'processing',
      'completed',
      'failed',
      'cancelled',
      'expired',
      'paused',
    ]);
  });

  it('counts completed, failed, cancelled and expired as terminal', () => {
    expect([...TERMINAL_STATUSES].sort()).toEqual(['cancelled', 'completed', 'expired', 'failed']);
    for (const status of TERMINAL_STATUSES) expect(isTerminalStatus(status)).toBe(true);
  });

  it('counts pending, queued, processing and paused as active and not terminal', () => {
    expect([...ACTIVE_STATUSES].sort()).toEqual(['paused', 'pending', 'processing', 'queued']);
    for (const status of ACTIVE_STATUSES) expect(isTerminalStatus(status)).toBe(false);
  });

  it('splits every status into exactly one of active and terminal', () => {
    expect([...ACTIVE_STATUSES, ...TERMINAL_STATUSES].sort()).toEqual([...JOB_STATUSES].sort());
  });
});

describe('parseJobStatus', () => {
  it('accepts every wire value as itself', () => {
    for (const status of JOB_STATUSES) expect(parseJobStatus(status)).toBe(status);
  });

  it('accepts every upper-case name as its wire value', () => {
    for (const [name, status] of Object.entries(JobStatus))
      expect(parseJobStatus(name)).toBe(status);
  });

  it('refuses mixed case, padding and unknown words with a ValidationError', () => {
    for (const input of ['Completed', ' completed', 'done', '', 'constructor', 'toString']) {
      expect(() => parseJobStatus(input)).toThrow(ValidationError);
    }
  });

  it('names the accepted values in its message', () => {
    expect(() => parseJobStatus('done')).toThrow(/must be one of pending, queued, processing/);
  });

  it('refuses every string that is neither a wire value nor a name', () => {
    const accepted = new Set<string>([...JOB_STATUSES, ...Object.keys(JobStatus)]);
    fc.assert(
      fc.property(
        fc.string().filter((s) => !accepted.has(s)),
        (input) => {
          expect(() => parseJobStatus(input)).toThrow(ValidationError);
        },
      ),
    );
  });
});

describe('JobStatusSchema', () => {
  it('outputs the wire value for a name', () => {
    expect(JobStatusSchema.parse('PAUSED')).toBe('paused');
  });

  it('refuses a non-string', () => {
    expect(JobStatusSchema.safeParse(3).success).toBe(false);
  });
});
