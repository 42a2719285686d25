import { EventEmitter, on } from 'node:events';
import { sleep } from '../../support/sleep.js';
import type { Db, JobRow } from '../schema/index.js';

export interface JobWatcherOptions {
  /** The database, looked up at every round (it may be starting, or gone). */
  database(): Promise<Db>;
  /** How often the watched jobs are read (default: 250 ms). */
  intervalMs?: number | undefined;
  /** How the watcher waits between rounds (default: a real timer); tests pass one they let go. */
  sleep?: ((ms: number) => Promise<void>) | undefined;
}

interface Watch {
  tenant: string;
  jobId: string;
  version: number | undefined;
  emitter: EventEmitter;
}

/**
 * Follows jobs for their readers (the SSE route): one query a round reads
 * every watched job, however many readers follow it, and each reader hears of
 * a job only when its version moved. It reads the jobs table, so it sees
 * changes made by any instance.
 */
export class JobWatcher {
  readonly #options: JobWatcherOptions;
  readonly #watches = new Set<Watch>();
  #running: Promise<void> | undefined;

  constructor(options: JobWatcherOptions) {
    this.#options = options;
  }

  /**
   * The job's row each time its version changes (first: as it is at the next round), and
   * `null` once it is gone (deleted, or not the tenant's), which ends it. Ends too when
   * `signal` aborts; throws when the jobs cannot be read.
   */
  watch(tenant: string, jobId: string, signal: AbortSignal): AsyncIterable<JobRow | null> {
    if (signal.aborted) return (async function* () {})();
    const watch: Watch = { tenant, jobId, version: undefined, emitter: new EventEmitter() };
    const changes = on(watch.emitter, 'change', { signal });
    this.#watches.add(watch);
    signal.addEventListener('abort', () => this.#watches.delete(watch), { once: true });
    this.#running ??= this.#run();
    return (async function* () {
      try {
        for await (const [row] of changes) {
          yield row as JobRow | null;
          if (row === null) return;
        }
      } catch (error) {
        if (!signal.aborted) throw error;
      }
    })();
  }

  async #run(): Promise<void> {
    const intervalMs = this.#options.intervalMs ?? 250;
    const wait = this.#options.sleep ?? sleep;
    try {
      while (this.#watches.size > 0) {
        await wait(intervalMs);
        if (this.#watches.size === 0) break;
        await this.#round();
      }
    } finally {
      this.#running = undefined;
      // A watch added while the loop was ending still needs a loop.
      if (this.#watches.size > 0) this.#running = this.#run();
    }
  }

  async #round(): Promise<void> {
    const watches = [...this.#watches];
    let rows: Map<string, JobRow>;
    try {
      const db = await this.#options.database();
      const ids = [...new Set(watches.map((w) => w.jobId))];
      const found = await db.selectFrom('jobs').selectAll().where('id', 'in', ids).execute();
      rows = new Map(found.map((row) => [row.id, row]));
    } catch (error) {
      for (const watch of watches) {
        this.#watches.delete(watch);
        watch.emitter.emit('error', error);
      }
      return;
    }
    for (const watch of watches) {
      const row = rows.get(watch.jobId);
      if (!row || row.tenant !== watch.tenant) {
        this.#watches.delete(watch);
        watch.emitter.emit('change', null);
      } else if (row.version !== watch.version) {
        watch.version = row.version;
        watch.emitter.emit('change', row);
      }
    }
  }
}
