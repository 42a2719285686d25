import { setTimeout as sleep } from 'node:timers/promises';
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
    const watcher = new JobWatcher({ database: async () => handle.db, intervalMs: 10 });
    const stop = new AbortController();
    const changes = watcher.watch('acme', 'watched-1', stop.signal)[Symbol.asyncIterator]();
    expect((await changes.next()).value).toMatchObject({ version: 1, completed: 0 });
    // Several rounds pass with the version unchanged: nothing more is told.
    const second = changes.next();
    const quiet = await Promise.race([second.then(() => 'told'), sleep(100).then(() => 'quiet')]);
    expect(quiet).toBe('quiet');
    await bumpVersion('watched-1');
    expect((await second).value).toMatchObject({ version: 2, completed: 1 });
    stop.abort();
  });

  it('reads every followed job in one query a round, however many watch them', async () => {
    for (const id of ['many-1', 'many-2', 'many-3']) await insertJobRow(handle.db, 'acme', id);
    const { db, queries } = countingDatabase();
    const watcher = new JobWatcher({ database: async () => db, intervalMs: 10 });
    const stop = new AbortController();
    const firsts = Array.from({ length: 12 }, (_, i) =>
      collect(watcher.watch('acme', `many-${(i % 3) + 1}`, stop.signal), (s) => s.length === 1),
    );
    await Promise.all(firsts);
    // Every reader has heard once: that took one round, so one query.
    expect(queries()).toBe(1);
    stop.abort();
  });

  it('tells a watcher null when the job is deleted, and then ends', async () => {
    await insertJobRow(handle.db, 'acme', 'deleted-1');
    const watcher = new JobWatcher({ database: async () => handle.db, intervalMs: 10 });
    const stop = new AbortController();
    const reading = collect(watcher.watch('acme', 'deleted-1', stop.signal), (s) =>
      s.includes(null),
    );
    await sleep(50);
    await handle.db.deleteFrom('jobs').where('id', '=', 'deleted-1').execute();
    const seen = await reading;
    expect(seen.at(-1)).toBeNull();
    stop.abort();
  });

  it("treats another tenant's job as one that does not exist", async () => {
    await insertJobRow(handle.db, 'globex', 'not-acme');
    const watcher = new JobWatcher({ database: async () => handle.db, intervalMs: 10 });
    const stop = new AbortController();
    const seen = await collect(watcher.watch('acme', 'not-acme', stop.signal), () => false);
    expect(seen).toEqual([null]);
    stop.abort();
  });

  it('stops reading once its last watcher has left', async () => {
    await insertJobRow(handle.db, 'acme', 'left-1');
    const { db, queries } = countingDatabase();
    const watcher = new JobWatcher({ database: async () => db, intervalMs: 10 });
    const stop = new AbortController();
    await collect(watcher.watch('acme', 'left-1', stop.signal), (s) => s.length === 1);
    stop.abort();
    await sleep(30);
    const after = queries();
    await sleep(100);
    expect(queries()).toBe(after);
  });

  it('reads nothing for a watch whose reader left before it began', async () => {
    await insertJobRow(handle.db, 'acme', 'gone-before');
    const { db, queries } = countingDatabase();
    const watcher = new JobWatcher({ database: async () => db, intervalMs: 10 });
    const gone = new AbortController();
    gone.abort();
    expect(await collect(watcher.watch('acme', 'gone-before', gone.signal), () => false)).toEqual(
      [],
    );
    await sleep(50);
    expect(queries()).toBe(0);
  });

  it('ends every watch with the error when the jobs cannot be read', async () => {
    const watcher = new JobWatcher({
      database: async () => {
        throw new Error('the database is gone');
      },
      intervalMs: 10,
    });
    const stop = new AbortController();
    await expect(collect(watcher.watch('acme', 'any', stop.signal), () => false)).rejects.toThrow(
      'the database is gone',
    );
  });
});
