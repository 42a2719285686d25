import { describe, expect, it } from 'vitest';
import {
  type DriverMemory,
  type DriverTimings,
  decideIntentFinding,
  EMPTY_DRIVER_MEMORY,
  nextDriverAction,
  nextLook,
  nextPoll,
  sendableRequests,
} from '../../src/domain/driver.next-action.js';
import type { JobEvent } from '../../src/domain/job.events.js';
import {
  aCompletedJob,
  aJobWithABatchAtAnthropic,
  aJobWithEverythingCollected,
  aProcessingJob,
  batchIdOf,
  cancellationRequested,
  collected,
  created,
  deleted,
  ended,
  HOUR_S,
  intended,
  iso,
  paused,
  queued,
  retryScheduled,
  started,
  stateAfter,
  submitted,
  t,
} from './job-specification.js';

const TIMINGS: DriverTimings = {
  pollIntervalMs: 1000,
  pollMaxMs: 30_000,
  reconcileAfterMs: 10_000,
  submitTimeoutMs: 180_000,
};
const B1 = batchIdOf('b1');
const B2 = batchIdOf('b2');

/** The driver's memory: when each batch is polled next (seconds), which cancellations were sent. */
function memory(polls: Record<string, number> = {}, cancelsSent: string[] = []): DriverMemory {
  return {
    polls: new Map(
      Object.entries(polls).map(([id, s]) => [id, { at: t(s).getTime(), interval: 1000 }]),
    ),
    cancelsSent: new Set(cancelsSent),
    self: 'instance-a',
  };
}

/** What the driver does next for a job with these events, at t(`seconds`). */
function nextFor(
  history: JobEvent[],
  seconds: number,
  remembered: DriverMemory = { ...EMPTY_DRIVER_MEMORY, self: 'instance-a' },
) {
  return nextDriverAction(stateAfter(...history), t(seconds), remembered, TIMINGS);
}

/** A processing job of five requests. */
const fiveRequests = (): JobEvent[] => [created({ requests: 5 }), queued(1), started(2)];

/** b1 (3 requests) and b2 (the other 2) at Anthropic. */
const twoBatches = (): JobEvent[] => [
  ...fiveRequests(),
  intended(3, 'b1', 3),
  submitted(4, 'b1'),
  intended(5, 'b2', 2),
  submitted(6, 'b2'),
];

describe('a job this instance holds but has not started', () => {
  it('is started when it was claimed from the queue', () => {
    expect(nextFor([created({ requests: 5 }), queued(1)], 2)).toEqual({ kind: 'start' });
  });

  it('is started again when another instance started it last (a takeover, or a resumed job claimed again)', () => {
    expect(nextFor([created({ requests: 5 }), queued(1), started(2, 'instance-b')], 3)).toEqual({
      kind: 'start',
    });
  });

  it('is not started twice by the instance that started it', () => {
    expect(nextFor(fiveRequests(), 3)).toEqual({ kind: 'submit' });
  });
});

describe('a deleted job', () => {
  it('has its batches at Anthropic cancelled, then is let go', () => {
    expect(nextFor([...aJobWithABatchAtAnthropic(), deleted(10)], 11)).toEqual({
      kind: 'cancel-batches',
      batchIds: [B1],
      afterwards: 'let-go',
    });
  });

  it('is let go once its batches’ cancellation was sent', () => {
    expect(nextFor([...aJobWithABatchAtAnthropic(), deleted(10)], 11, memory({}, [B1]))).toEqual({
      kind: 'let-go',
      why: 'deleted',
    });
  });

  it('is let go at once with nothing on the way', () => {
    expect(nextFor([...aProcessingJob(), deleted(10)], 11)).toEqual({
      kind: 'let-go',
      why: 'deleted',
    });
  });
});

describe('a job that is not processing', () => {
  it('is let go once it has ended', () => {
    expect(nextFor(aCompletedJob(), 100)).toEqual({ kind: 'let-go', why: 'ended' });
  });

  it('is let go while it is only pending', () => {
    expect(nextFor([created({ requests: 5 })], 100)).toEqual({
      kind: 'let-go',
      why: 'not-processing',
    });
  });
});

describe('an intent Anthropic has not answered', () => {
  const withIntent = () => [...aProcessingJob(), intended(3, 'b1', 3)];

  it('is waited on until reconcileAfterMs after it was written', () => {
    expect(nextFor(withIntent(), 12)).toEqual({ kind: 'wait', until: t(13) });
  });

  it('is reconciled against Anthropic’s list from then on', () => {
    const history = withIntent();
    expect(nextFor(history, 13)).toEqual({
      kind: 'reconcile-intent',
      batch: stateAfter(...history).batches[0],
    });
  });

  it('comes before polling the job’s other batches', () => {
    expect(nextFor([...aJobWithABatchAtAnthropic(), intended(5, 'b2', 1)], 20)).toMatchObject({
      kind: 'reconcile-intent',
      batch: { batchKey: 'b2' },
    });
  });
});

describe('polling batches at Anthropic', () => {
  it('polls a batch never polled at once', () => {
    expect(nextFor(aJobWithABatchAtAnthropic(), 5)).toEqual({ kind: 'poll', batchIds: [B1] });
  });

  it('polls a batch when its next poll is due', () => {
    expect(nextFor(aJobWithABatchAtAnthropic(), 50, memory({ [B1]: 50 }))).toEqual({
      kind: 'poll',
      batchIds: [B1],
    });
  });

  it('waits for a batch’s next poll when it is not due', () => {
    expect(nextFor(aJobWithABatchAtAnthropic(), 50, memory({ [B1]: 60 }))).toEqual({
      kind: 'wait',
      until: t(60),
    });
  });

  it('polls only the batches that are due, all of them at once', () => {
    expect(nextFor(twoBatches(), 50, memory({ [B1]: 60 }))).toEqual({
      kind: 'poll',
      batchIds: [B2],
    });
    expect(nextFor(twoBatches(), 50, memory({ [B1]: 40, [B2]: 50 }))).toEqual({
      kind: 'poll',
      batchIds: [B1, B2],
    });
  });
});

describe('an ended batch', () => {
  it('is collected', () => {
    const history = [...aJobWithABatchAtAnthropic(), ended(60, 'b1')];
    expect(nextFor(history, 61)).toEqual({
      kind: 'collect',
      batch: stateAfter(...history).batches[0],
    });
  });

  it('is collected after the due polls of the job’s other batches', () => {
    expect(nextFor([...twoBatches(), ended(60, 'b1')], 61)).toEqual({
      kind: 'poll',
      batchIds: [B2],
    });
  });
});

describe('a job whose cancellation was asked for', () => {
  const cancelling = () => [...aJobWithABatchAtAnthropic(), cancellationRequested(10)];

  it('has its batches at Anthropic cancelled, then waits for them to end', () => {
    expect(nextFor(cancelling(), 11, memory({ [B1]: 20 }))).toEqual({
      kind: 'cancel-batches',
      batchIds: [B1],
      afterwards: 'wait',
    });
  });

  it('waits for the batches whose cancellation was sent, until their next poll', () => {
    expect(nextFor(cancelling(), 11, memory({ [B1]: 20 }, [B1]))).toEqual({
      kind: 'wait',
      until: t(20),
    });
  });

  it('ends cancelled once nothing is on the way, what has no outcome cancelled', () => {
    const history = [...cancelling(), ended(20, 'b1'), collected(21, 'b1', { succeeded: 2 })];
    expect(nextFor(history, 22)).toEqual({
      kind: 'append',
      events: [{ type: 'JobCancelled', data: { at: iso(22), unfinished: 1 } }],
    });
  });

  it('is cancelled even while paused', () => {
    const history = [...aJobWithABatchAtAnthropic(), paused(9), cancellationRequested(10)];
    expect(nextFor(history, 11, memory({ [B1]: 20 }))).toEqual({
      kind: 'cancel-batches',
      batchIds: [B1],
      afterwards: 'wait',
    });
  });
});

describe('a job past its deadline', () => {
  it('has its batches at Anthropic cancelled, then waits for them to end', () => {
    expect(nextFor(aJobWithABatchAtAnthropic(), HOUR_S, memory({ [B1]: HOUR_S + 20 }))).toEqual({
      kind: 'cancel-batches',
      batchIds: [B1],
      afterwards: 'wait',
    });
  });

  it('ends expired once nothing is on the way, what has no outcome expired', () => {
    expect(nextFor(aProcessingJob(), HOUR_S)).toEqual({
      kind: 'append',
      events: [{ type: 'JobExpired', data: { at: iso(HOUR_S), unfinished: 3 } }],
    });
  });

  it('is not ended a moment before the deadline', () => {
    expect(nextFor(aProcessingJob(), HOUR_S - 1)).toEqual({ kind: 'submit' });
  });
});

describe('a paused job', () => {
  it('gives its slot back with nothing on the way', () => {
    expect(nextFor([...aProcessingJob(), paused(10)], 11)).toEqual({
      kind: 'let-go',
      why: 'paused',
    });
  });

  it('waits for what is on the way, to collect it', () => {
    expect(nextFor([...aJobWithABatchAtAnthropic(), paused(10)], 11, memory({ [B1]: 20 }))).toEqual(
      { kind: 'wait', until: t(20) },
    );
  });

  it('sends nothing new', () => {
    const history = [...fiveRequests(), intended(3, 'b1', 3), submitted(4, 'b1'), paused(10)];
    expect(nextFor(history, 11, memory({ [B1]: 20 }))).toEqual({ kind: 'wait', until: t(20) });
  });
});

describe('a retry', () => {
  const retrying = (dueS: number) => [
    ...aJobWithABatchAtAnthropic(),
    ended(60, 'b1'),
    collected(61, 'b1', { succeeded: 1, retryable: 2 }),
    retryScheduled(62, dueS, 2),
  ];

  it('is waited for until it is due', () => {
    expect(nextFor(retrying(70), 65)).toEqual({ kind: 'wait', until: t(70) });
  });

  it('is waited for no later than the job’s deadline', () => {
    expect(nextFor(retrying(HOUR_S + 100), 65)).toEqual({ kind: 'wait', until: t(HOUR_S) });
  });

  it('is sent once it is due', () => {
    expect(nextFor(retrying(70), 70)).toEqual({ kind: 'submit' });
  });
});

describe('a processing job with nothing to look at', () => {
  it('submits the requests it has not sent', () => {
    expect(nextFor(aProcessingJob(), 3)).toEqual({ kind: 'submit' });
  });

  it('submits the rest while a first batch is at Anthropic', () => {
    const history = [...aProcessingJob(), intended(3, 'b1', 2), submitted(4, 'b1')];
    expect(nextFor(history, 5, memory({ [B1]: 20 }))).toEqual({ kind: 'submit' });
  });

  it('finishes once every request has its outcome and nothing is on the way', () => {
    expect(nextFor(aJobWithEverythingCollected(), 62)).toEqual({ kind: 'finish' });
  });

  it('waits until the next poll of a batch on the way', () => {
    expect(nextFor(aJobWithABatchAtAnthropic(), 10, memory({ [B1]: 20 }))).toEqual({
      kind: 'wait',
      until: t(20),
    });
  });

  it('waits the earliest of the batches’ next polls', () => {
    expect(nextFor(twoBatches(), 10, memory({ [B1]: 25, [B2]: 15 }))).toEqual({
      kind: 'wait',
      until: t(15),
    });
  });

  it('waits no longer than pollMaxMs', () => {
    expect(nextFor(aJobWithABatchAtAnthropic(), 10, memory({ [B1]: 100 }))).toEqual({
      kind: 'wait',
      until: t(40),
    });
  });

  it('waits no later than the job’s deadline', () => {
    expect(
      nextFor(aJobWithABatchAtAnthropic(), HOUR_S - 5, memory({ [B1]: HOUR_S + 100 })),
    ).toEqual({ kind: 'wait', until: t(HOUR_S) });
  });
});

describe('sendableRequests', () => {
  it('counts the requests with no outcome that are not on their way', () => {
    expect(sendableRequests(stateAfter(...aProcessingJob()))).toBe(3);
    expect(sendableRequests(stateAfter(...aProcessingJob(), intended(3, 'b1', 2)))).toBe(1);
    expect(sendableRequests(stateAfter(...aJobWithEverythingCollected()))).toBe(0);
  });
});

describe('nextLook', () => {
  it('is never earlier than now', () => {
    const state = stateAfter(...aJobWithABatchAtAnthropic());
    expect(nextLook(state, t(10), memory({ [B1]: 5 }), 30_000)).toEqual(t(10));
  });

  it('counts a batch with no poll planned as due now', () => {
    const state = stateAfter(...aJobWithABatchAtAnthropic());
    expect(nextLook(state, t(10), EMPTY_DRIVER_MEMORY, 30_000)).toEqual(t(10));
  });
});

describe('nextPoll', () => {
  it('first looks again pollIntervalMs later', () => {
    expect(nextPoll(undefined, t(10), TIMINGS)).toEqual({
      at: t(11).getTime(),
      interval: 1000,
    });
  });

  it('waits half as long again each time the batch is still running', () => {
    expect(nextPoll({ interval: 1000 }, t(10), TIMINGS)).toEqual({
      at: t(10).getTime() + 1500,
      interval: 1500,
    });
    expect(nextPoll({ interval: 1500 }, t(10), TIMINGS).interval).toBe(2250);
  });

  it('never waits longer than pollMaxMs', () => {
    expect(nextPoll({ interval: 25_000 }, t(10), TIMINGS)).toEqual({
      at: t(40).getTime(),
      interval: 30_000,
    });
    expect(nextPoll({ interval: 30_000 }, t(10), TIMINGS).interval).toBe(30_000);
  });
});

describe('decideIntentFinding', () => {
  const intent = () => stateAfter(...aProcessingJob(), intended(3, 'b1', 3)).batches[0]!;
  // Conclusive once submitTimeoutMs and reconcileAfterMs have passed since the intent (at 3 s).
  const CONCLUSIVE_S = 3 + 180 + 10;

  it('adopts the batch Anthropic lists for the intent', () => {
    expect(
      decideIntentFinding(intent(), { kind: 'found', batchId: 'msgbatch_x' }, t(20), TIMINGS),
    ).toEqual({
      kind: 'append',
      events: [
        {
          type: 'BatchSubmitted',
          data: { batchKey: 'b1', batchId: 'msgbatch_x', at: iso(20), adopted: true },
        },
      ],
    });
  });

  it('looks again pollMaxMs later when the list could not tell', () => {
    expect(decideIntentFinding(intent(), { kind: 'undecided' }, t(20), TIMINGS)).toEqual({
      kind: 'wait',
      until: t(50),
    });
  });

  it('waits while the intent’s sender may still be out with it, though Anthropic lists nothing', () => {
    expect(decideIntentFinding(intent(), { kind: 'absent' }, t(CONCLUSIVE_S - 1), TIMINGS)).toEqual(
      { kind: 'wait', until: t(CONCLUSIVE_S) },
    );
  });

  it('gives the requests back once the absence is conclusive', () => {
    expect(decideIntentFinding(intent(), { kind: 'absent' }, t(CONCLUSIVE_S), TIMINGS)).toEqual({
      kind: 'append',
      events: [
        {
          type: 'BatchSubmissionAbandoned',
          data: { batchKey: 'b1', reason: 'not found at Anthropic', at: iso(CONCLUSIVE_S) },
        },
      ],
    });
  });
});
