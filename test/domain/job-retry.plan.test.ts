import { describe, expect, it } from 'vitest';
import { IllegalTransitionError, NotFoundError, ValidationError } from '../../src/domain/errors.js';
import type { JobEvent } from '../../src/domain/job.events.js';
import {
  jobRetriedEvent,
  originalsARetryMayReuse,
  type RetryCandidate,
  retryJobConfig,
  selectRetryRequests,
} from '../../src/domain/job-retry.plan.js';
import { parseRetryOptions } from '../../src/domain/job-retry.schema.js';
import { accepts, applyEvents, emptySnapshot } from '../../src/machines/job-snapshot.js';
import {
  aCompletedJob,
  aProcessingJob,
  created,
  deleted,
  JOB,
  stateAfter,
  TENANT,
  t,
} from './job-specification.js';

/** The requests of a job that ended with each kind of outcome. */
const OUTCOMES: RetryCandidate[] = [
  { ordinal: 0, customId: 'ok', resultType: 'succeeded', errorType: null },
  { ordinal: 1, customId: 'bad', resultType: 'errored', errorType: 'invalid_request_error' },
  { ordinal: 2, customId: 'busy', resultType: 'errored', errorType: 'overloaded_error' },
  { ordinal: 3, customId: 'late', resultType: 'expired', errorType: null },
  { ordinal: 4, customId: 'stopped', resultType: 'canceled', errorType: null },
];

/** Given an ended job with OUTCOMES, when a retry with `body` is asked for: the custom_ids it sends. */
function selected(body: unknown, history: JobEvent[] = aCompletedJob()): string[] {
  const { filter } = parseRetryOptions(body);
  return selectRetryRequests(stateAfter(...history), TENANT, JOB, filter, OUTCOMES).map(
    (r) => r.customId,
  );
}

describe('which requests a retry sends again (selectRetryRequests)', () => {
  it('sends every failed request and no succeeded one when no filter is given', () => {
    expect(selected({})).toEqual(['bad', 'busy', 'late', 'stopped']);
  });

  it('sends only the result types the filter names', () => {
    expect(selected({ filter: { resultTypes: ['expired', 'canceled'] } })).toEqual([
      'late',
      'stopped',
    ]);
  });

  it('sends only errored requests of the error types the filter names', () => {
    expect(selected({ filter: { errorTypes: ['overloaded_error'] } })).toEqual(['busy']);
  });

  it('sends only the custom_ids the filter names, and never a succeeded one among them', () => {
    expect(selected({ filter: { customIds: ['ok', 'late'] } })).toEqual(['late']);
  });

  it('holds every criterion given at once', () => {
    expect(selected({ filter: { resultTypes: ['errored'], customIds: ['busy', 'late'] } })).toEqual(
      ['busy'],
    );
  });

  it('refuses a filter that matches nothing with a 400 that says so', () => {
    const refusal = () => selected({ filter: { customIds: ['ok'] } });
    expect(refusal).toThrow(ValidationError);
    expect(refusal).toThrow(/no request matching the retry filter/);
  });

  it('refuses custom_ids the job does not have, naming them', () => {
    expect(() => selected({ filter: { customIds: ['late', 'ghost'] } })).toThrow(
      /no request with custom_id "ghost"/,
    );
  });

  it('refuses a job that has not ended (409)', () => {
    expect(() => selected({}, aProcessingJob())).toThrow(IllegalTransitionError);
  });

  it("answers another tenant's job as not found", () => {
    const state = stateAfter(...aCompletedJob());
    expect(() => selectRetryRequests(state, 'globex', JOB, {}, OUTCOMES)).toThrow(NotFoundError);
  });

  it('answers a deleted job as not found', () => {
    expect(() => selected({}, [...aCompletedJob(), deleted(900)])).toThrow(NotFoundError);
  });

  it('refuses an unknown result type, naming the field', () => {
    expect(() => parseRetryOptions({ filter: { resultTypes: ['succeeded'] } })).toThrow(
      /filter\.resultTypes\.0/,
    );
  });
});

describe("the retry job's config (retryJobConfig)", () => {
  const original = stateAfter(...aCompletedJob());
  const requests = [
    { customId: 'late', params: { model: 'm', max_tokens: 64, temperature: 1, messages: [] } },
  ];

  it("applies the overrides to each request's params as a JSON merge patch", () => {
    const config = retryJobConfig(
      original,
      requests,
      parseRetryOptions({ overrides: { max_tokens: 2048, temperature: null } }),
    );
    expect(config.requests).toEqual([
      { custom_id: 'late', params: { model: 'm', max_tokens: 2048, messages: [] } },
    ]);
  });

  it('refuses with a 409 naming them when the requests to send again were purged', () => {
    const purged = [...requests, { customId: 'gone', params: null }];
    expect(() => retryJobConfig(original, purged, parseRetryOptions({}))).toThrow(
      expect.objectContaining({ status: 409, message: expect.stringContaining('first: gone') }),
    );
  });

  it("inherits the original's priority, tags, metadata, timeout and anthropic-version", () => {
    const config = retryJobConfig(original, requests, parseRetryOptions({}));
    expect(config).toMatchObject({
      priority: original.priority,
      tags: original.tags,
      metadata: original.metadata,
      timeoutMs: original.timeoutMs,
      anthropicVersion: original.anthropicVersion,
      deduplicate: original.deduplicate,
    });
  });

  it('takes a priority, tags and a callback given with the retry instead', () => {
    const config = retryJobConfig(
      original,
      requests,
      parseRetryOptions({ priority: 'HIGH', tags: ['again'], callbackUrl: 'https://h.example/x' }),
    );
    expect(config).toMatchObject({
      priority: 2,
      tags: ['again'],
      callbackUrl: 'https://h.example/x',
    });
  });
});

describe('the dedup rule of a retry (originalsARetryMayReuse)', () => {
  const known = new Map([
    ['fp-errored', { jobId: 'job_a', ordinal: 0 }],
    ['fp-expired', { jobId: 'job_a', ordinal: 1 }],
    ['fp-succeeded', { jobId: 'job_b', ordinal: 0 }],
    ['fp-running', { jobId: 'job_c', ordinal: 0 }],
  ]);
  const finals = new Map([
    ['job_a:0', 'errored'],
    ['job_a:1', 'expired'],
    ['job_b:0', 'succeeded'],
  ]);

  it('reuses an identical request that succeeded or has no outcome yet, never a failed one', () => {
    const reusable = originalsARetryMayReuse(known, (o) => finals.get(`${o.jobId}:${o.ordinal}`));
    expect([...reusable.keys()]).toEqual(['fp-succeeded', 'fp-running']);
  });
});

describe('the JobRetried event', () => {
  const retried = jobRetriedEvent('job_2', 4, t(1000));

  it('is accepted by the machine after every end of a job', () => {
    for (const end of ['completed', 'failed', 'cancelled', 'expired'] as const) {
      const history: JobEvent[] =
        end === 'completed'
          ? aCompletedJob()
          : end === 'failed'
            ? [
                created(),
                { type: 'JobFailed', data: { at: t(5).toISOString(), reason: 'x', unfinished: 3 } },
              ]
            : end === 'cancelled'
              ? [
                  created(),
                  { type: 'JobCancelled', data: { at: t(5).toISOString(), unfinished: 3 } },
                ]
              : [
                  created(),
                  { type: 'JobExpired', data: { at: t(5).toISOString(), unfinished: 3 } },
                ];
      expect(accepts(applyEvents(emptySnapshot(), history), [retried])).toBe(true);
    }
  });

  it('is refused while the job still runs', () => {
    expect(accepts(applyEvents(emptySnapshot(), aProcessingJob()), [retried])).toBe(false);
  });

  it("adds the retry to the original's retries and leaves its status alone", () => {
    const state = stateAfter(...aCompletedJob(), retried, jobRetriedEvent('job_3', 1, t(1100)));
    expect(state).toMatchObject({
      status: 'completed',
      retries: ['job_2', 'job_3'],
      retryOf: null,
    });
  });

  it("names the job it retries on the new job's state from its JobCreated", () => {
    const first = created();
    const createdRetry = { ...first, data: { ...first.data, retryOf: 'job_0' } } as JobEvent;
    expect(stateAfter(createdRetry).retryOf).toBe('job_0');
  });
});
