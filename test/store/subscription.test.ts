import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCheckpoint } from '../../src/store/checkpoints.js';
import type { DatabaseHandle } from '../../src/store/create-database.js';
import { appendToStream } from '../../src/store/event-store.js';
import type { RecordedEvent } from '../../src/store/event-store.types.js';
import { subscribe } from '../../src/store/subscription.js';
import { openTestDatabase } from '../support/database.js';
import { seededRandom } from '../support/job-histories.js';

const metadata = { instanceId: 'test-1', tenant: 'acme' };

function commitOrder(a: RecordedEvent, b: RecordedEvent): number {
  return a.transactionId === b.transactionId
    ? a.position - b.position
    : a.transactionId - b.transactionId;
}

describe('subscription', () => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await openTestDatabase();
  });
  afterAll(() => handle.close());

  const appendOne = (stream: string, expected: number, n: number) =>
    handle.db
      .transaction()
      .execute((trx) =>
        appendToStream(trx, stream, expected, [{ type: 'Counted', data: { n } }], metadata),
      );

  it('sees every event of 8 slow, overlapping writers exactly once, in commit-safe order', async () => {
    const seen: RecordedEvent[] = [];
    const subscription = subscribe(handle.db, {
      name: 'slow-writers',
      pollMs: 5,
      batchSize: 37,
      handle: async (events) => {
        seen.push(...events);
      },
    });
    const writers = 8;
    const transactionsEach = 50;
    // Seeded: the same hold times every run.
    const holdMs = seededRandom(8);
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        for (let i = 0; i < transactionsEach; i++) {
          await handle.db.transaction().execute(async (trx) => {
            await appendToStream(
              trx,
              `writer-${w}`,
              i,
              [{ type: 'Counted', data: { w, i } }],
              metadata,
            );
            // Hold the transaction open so later positions commit first.
            await sleep(holdMs() * 8);
          });
        }
      }),
    );
    await subscription.caughtUp();
    await subscription.stop();

    expect(seen).toHaveLength(writers * transactionsEach);
    expect(new Set(seen.map((e) => e.position)).size).toBe(writers * transactionsEach);
    expect(seen).toEqual([...seen].sort(commitOrder));
    for (let w = 0; w < writers; w++) {
      const own = seen.filter((e) => e.streamId === `writer-${w}`).map((e) => e.version);
      expect(own).toEqual(Array.from({ length: transactionsEach }, (_, i) => i + 1));
    }
  });

  it('resumes from its stored checkpoint after a restart', async () => {
    const first: number[] = [];
    const firstRun = subscribe(handle.db, {
      name: 'restartable',
      pollMs: 5,
      handle: async (events) => {
        first.push(...events.map((e) => (e.data as { n: number }).n));
      },
    });
    await appendOne('restartable-stream', 0, 1);
    await firstRun.caughtUp();
    await firstRun.stop();
    const checkpoint = await readCheckpoint(handle.db, 'restartable');

    await appendOne('restartable-stream', 1, 2);
    const second: RecordedEvent[] = [];
    const secondRun = subscribe(handle.db, {
      name: 'restartable',
      pollMs: 5,
      handle: async (events) => {
        second.push(...events);
      },
    });
    await secondRun.caughtUp();
    await secondRun.stop();

    expect(first).toContain(1);
    expect(second.every((e) => commitOrder(e, { ...e, ...checkpoint } as RecordedEvent) > 0)).toBe(
      true,
    );
    expect(second.map((e) => e.data)).toContainEqual({ n: 2 });
    expect(second.map((e) => e.data)).not.toContainEqual({ n: 1 });
  });

  it('does not advance its checkpoint when the handler fails', async () => {
    await appendOne('failing-stream', 0, 1);
    let attempts = 0;
    const errors: unknown[] = [];
    const subscription = subscribe(handle.db, {
      name: 'failing',
      pollMs: 5,
      handle: async () => {
        attempts += 1;
        throw new Error('handler broke');
      },
      onError: (error) => errors.push(error),
    });
    while (attempts < 2) await sleep(5);
    await subscription.stop();
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect(await readCheckpoint(handle.db, 'failing')).toEqual({ transactionId: 0, position: 0 });
  });
});
