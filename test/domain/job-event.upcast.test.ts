import { describe, expect, it } from 'vitest';
import {
  EVENT_SCHEMA_VERSION,
  UnknownJobEventError,
  upcastJobEvent,
} from '../../src/domain/job-event.upcast.js';

const ended = { batchKey: 'b1', batchId: 'msgbatch_1', at: '2026-12-01T00:00:00.000Z' };

describe('reading events written by other versions', () => {
  it('brings a schema-1 BatchEnded to today’s shape (no results URL: it is asked for)', () => {
    const event = upcastJobEvent('job_1', { type: 'BatchEnded', data: ended, schemaVersion: 1 });
    expect(event).toEqual({ type: 'BatchEnded', data: { ...ended, resultsUrl: undefined } });
  });

  it('gives a JobCreated written before versions were recorded the version the SDK sent then', () => {
    const data = { jobId: 'job_1', totalRequests: 1 };
    for (const schemaVersion of [1, 2]) {
      const event = upcastJobEvent('job_1', { type: 'JobCreated', data, schemaVersion });
      expect(event.data).toEqual({ ...data, anthropicVersion: '2026-10-21' });
    }
  });

  it('keeps the version a schema-3 JobCreated recorded', () => {
    const data = { jobId: 'job_1', anthropicVersion: '2023-06-01' };
    const event = upcastJobEvent('job_1', { type: 'JobCreated', data, schemaVersion: 3 });
    expect(event.data).toEqual(data);
  });

  it('reads today’s shape as it is', () => {
    const data = { ...ended, resultsUrl: 'https://x/results' };
    const event = upcastJobEvent('job_1', {
      type: 'BatchEnded',
      data,
      schemaVersion: EVENT_SCHEMA_VERSION,
    });
    expect(event.data).toEqual(data);
  });

  it('refuses an event type it does not know, naming the job and the type', () => {
    expect(() =>
      upcastJobEvent('job_1', { type: 'JobTeleported', data: {}, schemaVersion: 1 }),
    ).toThrow(UnknownJobEventError);
  });

  it('refuses a known type written under a newer schema (its shape may have changed)', () => {
    expect(() =>
      upcastJobEvent('job_1', {
        type: 'JobQueued',
        data: { at: ended.at },
        schemaVersion: EVENT_SCHEMA_VERSION + 1,
      }),
    ).toThrow(/newer than this instance knows/);
  });
});
