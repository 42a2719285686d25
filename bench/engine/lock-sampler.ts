import type pg from 'pg';

/** What the samples saw: active sessions, and of those, the ones waiting on a lock. */
export interface LockSamples {
  readonly samples: number;
  readonly active: number;
  readonly waitingOnLocks: number;
  /** waitingOnLocks / active, in percent (0 with no active session seen). */
  readonly waitingPercent: number;
  /** The lock waits by kind of lock (`advisory`, `transactionid`, `tuple`…). */
  readonly byLockType: Readonly<Record<string, number>>;
  /** The lock waits by `waiting statement ⟵ blocking statement` (each cut to its first words). */
  readonly byStatements: Readonly<Record<string, number>>;
}

/**
 * Samples pg_stat_activity every `everyMs` for the active backends of one
 * database and how many of them wait on a heavyweight lock (row, tuple,
 * transaction id, advisory…). It runs on a connection to another database, so
 * it is never one of the sessions it counts.
 */
export class LockSampler {
  #samples = 0;
  #active = 0;
  #waiting = 0;
  readonly #byLockType: Record<string, number> = {};
  readonly #byStatements: Record<string, number> = {};
  #running = true;
  #failure: unknown;
  readonly #loop: Promise<void>;

  constructor(
    admin: pg.Client,
    readonly database: string,
    everyMs = 25,
  ) {
    this.#loop = (async () => {
      while (this.#running) {
        await new Promise((resolve) => setTimeout(resolve, everyMs));
        if (!this.#running) break;
        const { rows } = await admin.query<{
          wait_event_type: string | null;
          wait_event: string | null;
          waiting: string | null;
          blocking: string | null;
        }>(
          `select a.wait_event_type, a.wait_event,
                  case when a.wait_event_type = 'Lock' then left(a.query, 200) end as waiting,
                  case when a.wait_event_type = 'Lock' then
                    (select left(b.query, 200) from pg_stat_activity b
                      where b.pid = any(pg_blocking_pids(a.pid)) limit 1) end as blocking
             from pg_stat_activity a
            where a.datname = $1 and a.state = 'active'`,
          [database],
        );
        this.#samples += 1;
        this.#active += rows.length;
        for (const row of rows) {
          if (row.wait_event_type !== 'Lock') continue;
          this.#waiting += 1;
          const type = row.wait_event ?? 'unknown';
          this.#byLockType[type] = (this.#byLockType[type] ?? 0) + 1;
          const pair = `${statementHead(row.waiting)} ⟵ ${statementHead(row.blocking)}`;
          this.#byStatements[pair] = (this.#byStatements[pair] ?? 0) + 1;
        }
      }
    })().catch((error: unknown) => {
      // A sampler that broke must not be read as "no waits": stop() reports it.
      this.#failure = error;
    });
  }

  /** Stops sampling (safe to call twice) and says what was seen. */
  async stop(): Promise<LockSamples> {
    this.#running = false;
    await this.#loop;
    if (this.#failure !== undefined) throw this.#failure;
    return {
      samples: this.#samples,
      active: this.#active,
      waitingOnLocks: this.#waiting,
      waitingPercent: this.#active === 0 ? 0 : (100 * this.#waiting) / this.#active,
      byLockType: { ...this.#byLockType },
      byStatements: { ...this.#byStatements },
    };
  }
}

/** A statement's first words with its table (`update "jobs"`, `insert into "job_stats"`), or `(idle in transaction)`. */
function statementHead(query: string | null): string {
  if (query === null || query.trim() === '') return '(none)';
  const words = query.replace(/\s+/g, ' ').trim().split(' ');
  const table = words.findIndex((_word, i) => i > 0 && /^(into|update|from)$/i.test(words[i - 1]!));
  const head = words.slice(0, 2).join(' ');
  return table >= 0 ? `${head} … ${words[table]}` : head;
}
