import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/store/create-database.js';
import { JobWatcher } from '../../src/store/jobs/job-watcher.js';
import type { Db, JobRow } from '../../src/store/schema/index.js';
import { openTestDatabase } from '../support/database.js';
import { insertJobRow } from '../support/job-row.js';

let handle: DatabaseHandle;
beforeAll(async () => {
  handle = await openTestDatabase();
});
afterAll(() => handle.close());

/** The database as the watcher sees it, counting the queries it sends. */
function countingDatabase(): { db: Db; queries: () => number } {
  let queries = 0;
  const db = handle.db.withPlugin({
    transformQuery: (args) => {
      queries += 1;
      return args.node;
    },
    transformResult: async (args) => args.result,
  });
  return { db, queries: () => queries };
}

/**
 * The watcher's waits between rounds, let go by the test: a round runs only when the test says
 * so, and the test knows it is over when the watcher waits again. No timer decides anything.
 */
class RoundsByHand {
  /** How many times the watcher has waited for a round. */
  waits = 0;
  #pending: (() => void) | undefined;
  #askers: Array<() => void> = [];

  readonly sleep = (_ms: number) =>
    new Promise<void>((resolve) => {
      this.waits += 1;
      this.#pending = resolve;
      for (const tell of this.#askers.splice(0)) tell();
    });

  /** Lets the next round run and resolves once it is over (the watcher waits again). */
  async run(): Promise<void> {
    await this.release();
    await this.#waiting();
  }

  /** Lets the next round run, not waiting for another: the watcher's last (it then stops). */
  async release(): Promise<void> {
    await this.#waiting();
    const go = this.#pending!;
    this.#pending = undefined;
    go();
  }

  #waiting(): Promise<void> {
    if (this.#pending) return Promise.resolve();
    return new Promise((resolve) => this.#askers.push(resolve));
  }
}

/** Lets every promise callback queued so far run (what a round emits reaches its readers). */
const settled = () => new Promise((resolve) => setImmediate(resolve));

/** Collects what a watch yields until it ends or `until` is satisfied. */
async function collect(
  changes: AsyncIterable<JobRow | null>,
  until: (seen: Array<JobRow | null>) => boolean,
): Promise<Array<JobRow | null>> {
  const seen: Array<JobRow | null> = [];
  for await (const change of changes) {
    seen.push(change);
    if (until(seen)) break;
  }
  return seen;
}

const bumpVersion = (id: string) =>
  handle.db
    .updateTable('jobs')
    .set((eb) => ({ version: eb('version', '+', 1), completed: eb('completed', '+', 1) }))
    .where('id', '=', id)
    .execute();

describe('JobWatcher', () => {
  it('tells a watcher the job as it is, then only when its version moves', async () => {
    await insertJobRow(handle.db, 'acme', 'watched-1');
    const rounds = new RoundsByHand();
    const watcher = new JobWatcher({ database: async () => handle.db, sleep: rounds.sleep });
    const stop = new AbortController();
    const changes = watcher.watch('acme', 'watched-1', stop.signal)[Symbol.asyncIterator]();
    const first = changes.next();
    await rounds.run();
    expect((await first).value).toMatchObject({ version: 1, completed: 0 });
    let told = false;
    const second = changes.next().finally(() => {
      told = true;
    });
    // Three rounds read the job with its version unchanged: nothing more is told.
    for (let round = 0; round < 3; round++) await rounds.run();
    await settled();
    expect(told).toBe(false);
    await bumpVersion('watched-1');
    await rounds.run();
    expect((await second).value).toMatchObject({ version: 2, completed: 1 });
    stop.abort();
  });

  it('reads every followed job in one query a round, however many watch them', async () => {
    for (const id of ['many-1', 'many-2', 'many-3']) await insertJobRow(handle.db, 'acme', id);
    const { db, queries } = countingDatabase();
    const rounds = new RoundsByHand();
    const watcher = new JobWatcher({ database: async () => db, sleep: rounds.sleep });
    const stop = new AbortController();
    const firsts = Array.from({ length: 12 }, (_, i) =>
      collect(watcher.watch('acme', `many-${(i % 3) + 1}`, stop.signal), (s) => s.length === 1),
    );
    await rounds.run();
    await Promise.all(firsts);
    // Every reader has heard once, after one round: one query.
    expect(queries()).toBe(1);
    stop.abort();
  });

  it('tells a watcher null when the job is deleted, and then ends', async () => {
    await insertJobRow(handle.db, 'acme', 'deleted-1');
    const rounds = new RoundsByHand();
    const watcher = new JobWatcher({ database: async () => handle.db, sleep: rounds.sleep });
    const stop = new AbortController();
    const reading = collect(watcher.watch('acme', 'deleted-1', stop.signal), () => false);
    await rounds.run();
    await handle.db.deleteFrom('jobs').where('id', '=', 'deleted-1').execute();
    await rounds.release();
    expect(await reading).toEqual([expect.objectContaining({ id: 'deleted-1' }), null]);
    stop.abort();
  });

  it("treats another tenant's job as one that does not exist", async () => {
    await insertJobRow(handle.db, 'globex', 'not-acme');
    const rounds = new RoundsByHand();
    const watcher = new JobWatcher({ database: async () => handle.db, sleep: rounds.sleep });
    const stop = new AbortController();
    const reading = collect(watcher.watch('acme', 'not-acme', stop.signal), () => false);
    await rounds.release();
    expect(await reading).toEqual([null]);
    stop.abort();
  });

  it('stops reading once its last watcher has left', async () => {
    await insertJobRow(handle.db, 'acme', 'left-1');
    const { db, queries } = countingDatabase();
    const rounds = new RoundsByHand();
    const watcher = new JobWatcher({ database: async () => db, sleep: rounds.sleep });
    const stop = new AbortController();
    const first = collect(watcher.watch('acme', 'left-1', stop.signal), (s) => s.length === 1);
    await rounds.run();
    await first;
    stop.abort();
    // The round already waited for runs no query, and no round comes after it.
    await rounds.release();
    await settled();
    expect(queries()).toBe(1);
    expect(rounds.waits).toBe(2);
  });

  it('reads nothing for a watch whose reader left before it began', async () => {
    await insertJobRow(handle.db, 'acme', 'gone-before');
    const { db, queries } = countingDatabase();
    const rounds = new RoundsByHand();
    const watcher = new JobWatcher({ database: async () => db, sleep: rounds.sleep });
    const gone = new AbortController();
    gone.abort();
    expect(await collect(watcher.watch('acme', 'gone-before', gone.signal), () => false)).toEqual(
      [],
    );
    // No round was ever started: nothing waits, nothing was read.
    await settled();
    expect(rounds.waits).toBe(0);
    expect(queries()).toBe(0);
  });

  it('ends every watch with the error when the jobs cannot be read', async () => {
    const rounds = new RoundsByHand();
    const watcher = new JobWatcher({
      database: async () => {
        throw new Error('the database is gone');
      },
      sleep: rounds.sleep,
    });
    const stop = new AbortController();
    const reading = collect(watcher.watch('acme', 'any', stop.signal), () => false);
    await rounds.release();
    await expect(reading).rejects.toThrow('the database is gone');
  });
});
