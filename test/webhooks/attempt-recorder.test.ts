import { describe, expect, it } from 'vitest';
import { createAttemptRecorder, type WriteAttempts } from '../../src/webhooks/attempt-recorder.js';
import type { DeliveryAttemptRecord } from '../../src/webhooks/record-delivery-attempts.js';

const record = (deliveryId: string): DeliveryAttemptRecord => ({
  deliveryId,
  claimToken: 'token',
  instanceId: 'relay',
  attemptNumber: 1,
  attemptedAt: new Date(0),
  durationMs: 1,
  statusCode: 204,
  error: null,
  responseExcerpt: '',
  next: { status: 'delivered' },
  now: new Date(0),
});

/** A writer whose transactions end when the test says; it keeps the batches it was given. */
function heldWriter() {
  const batches: string[][] = [];
  const pending: (() => void)[] = [];
  const write: WriteAttempts = (records) => {
    batches.push(records.map((r) => r.deliveryId));
    return new Promise((resolve) =>
      pending.push(() => resolve(new Set(records.map((r) => r.deliveryId)))),
    );
  };
  const commit = async () => {
    while (pending.length === 0) await new Promise((resolve) => setImmediate(resolve));
    pending.shift()!();
  };
  return { write, batches, commit };
}

describe('the attempt recorder', () => {
  it('writes the first attempt at once and those that finish meanwhile together', async () => {
    const writer = heldWriter();
    const recorder = createAttemptRecorder(writer.write);
    const recorded = [recorder.record(record('d1'))];
    expect(writer.batches).toEqual([['d1']]);
    recorded.push(...['d2', 'd3', 'd4'].map((id) => recorder.record(record(id))));
    await writer.commit();
    await writer.commit();
    expect(await Promise.all(recorded)).toEqual([true, true, true, true]);
    expect(writer.batches).toEqual([['d1'], ['d2', 'd3', 'd4']]);
  });

  it('writes at most maxBatch attempts in one transaction', async () => {
    const writer = heldWriter();
    const recorder = createAttemptRecorder(writer.write, 2);
    const recorded = ['d1', 'd2', 'd3', 'd4', 'd5'].map((id) => recorder.record(record(id)));
    for (let i = 0; i < 3; i++) await writer.commit();
    await Promise.all(recorded);
    expect(writer.batches).toEqual([['d1'], ['d2', 'd3'], ['d4', 'd5']]);
  });

  it('answers false for an attempt whose claim had lapsed', async () => {
    const recorder = createAttemptRecorder(async () => new Set(['kept']));
    expect(
      await Promise.all([recorder.record(record('kept')), recorder.record(record('lapsed'))]),
    ).toEqual([true, false]);
  });

  it('writes a failed batch again one attempt at a time, so a bad one fails alone', async () => {
    const batches: string[][] = [];
    const recorder = createAttemptRecorder(async (records) => {
      batches.push(records.map((r) => r.deliveryId));
      if (records.some((r) => r.deliveryId === 'bad')) throw new Error('cannot be written');
      return new Set(records.map((r) => r.deliveryId));
    });
    const first = recorder.record(record('first'));
    const rest = ['ok-1', 'bad', 'ok-2'].map((id) => recorder.record(record(id)));
    const outcomes = await Promise.allSettled([first, ...rest]);
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : 'failed'))).toEqual([
      true,
      true,
      'failed',
      true,
    ]);
    expect(batches).toEqual([['first'], ['ok-1', 'bad', 'ok-2'], ['ok-1'], ['bad'], ['ok-2']]);
  });

  it('is flushed once everything handed in is written', async () => {
    const writer = heldWriter();
    const recorder = createAttemptRecorder(writer.write);
    const recorded = recorder.record(record('d1'));
    let flushed = false;
    const flushing = recorder.flushed().then(() => (flushed = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(flushed).toBe(false);
    await writer.commit();
    await flushing;
    expect(await recorded).toBe(true);
  });
});
