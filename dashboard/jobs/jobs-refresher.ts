import { getJson } from '../api/api-client.js';
import { ApiError, describeError } from '../api/api-error.js';
import type { Job, JobDetails, JobList } from '../api/types.js';
import { type EventAbout, type Refresh, refreshFor } from './feed-refresh.js';
import { type JobsQuery, jobsPath } from './jobs-query.js';

/** Events are gathered this long before the reads they call for, so a burst costs one read per job. */
const BURST_MS = 250;
/** After a failed read, the next try waits this long. */
const RETRY_MS = 2000;

export interface JobsRefresherDeps {
  /** The query shown now. */
  query: () => JobsQuery;
  /** The rows shown now (undefined before the first list). */
  shown: () => readonly Job[] | undefined;
  onList: (list: JobList) => void;
  onRows: (jobs: readonly Job[]) => void;
  onError: (message: string | null) => void;
  /** The cursor of the newest event whose reads have been shown. */
  onSeen: (cursor: string) => void;
}

/**
 * Reads the list and its rows again as events and wishes arrive, one read at a time, so an
 * answer never lands after a newer one.
 */
export class JobsRefresher {
  readonly #deps: JobsRefresherDeps;
  readonly #stopped = new AbortController();
  #events: EventAbout[] = [];
  #cursor: string | null = null;
  #listWanted = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerDue = 0;
  #running = false;

  constructor(deps: JobsRefresherDeps) {
    this.#deps = deps;
  }

  /** An event of the feed: its job's row (or the page) is read again with the others of its burst. */
  eventArrived(event: EventAbout & { cursor: string }): void {
    this.#events.push({ jobId: event.jobId, type: event.type });
    this.#cursor = event.cursor;
    this.#schedule(BURST_MS);
  }

  /** Reads the page again: at once (a new query), or with the next burst. */
  readList(now = false): void {
    this.#listWanted = true;
    this.#schedule(now ? 0 : BURST_MS);
  }

  stop(): void {
    this.#stopped.abort();
    clearTimeout(this.#timer);
  }

  #schedule(ms: number): void {
    if (this.#stopped.signal.aborted) return;
    if (this.#running) return; // the run's end schedules what came meanwhile
    const due = Date.now() + ms;
    if (this.#timer !== undefined) {
      if (due >= this.#timerDue) return;
      clearTimeout(this.#timer);
    }
    this.#timerDue = due;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#run();
    }, ms);
  }

  async #run(): Promise<void> {
    this.#running = true;
    let nextInMs = BURST_MS;
    const query = this.#deps.query();
    const shown = this.#deps.shown();
    const refresh: Refresh =
      this.#listWanted || shown === undefined
        ? { kind: 'list' }
        : refreshFor(this.#events, query, new Set(shown.map((job) => job.id)));
    const cursor = this.#cursor;
    this.#events = [];
    this.#listWanted = false;
    try {
      await this.#read(refresh, query);
      this.#deps.onError(null);
      if (cursor !== null) this.#deps.onSeen(cursor);
    } catch (failure) {
      if (this.#stopped.signal.aborted) return;
      this.#deps.onError(describeError(failure));
      // What this run should have brought is read again, as a whole page.
      if (refresh.kind !== 'none') this.#listWanted = true;
      nextInMs = RETRY_MS;
    } finally {
      this.#running = false;
    }
    if (this.#listWanted || this.#events.length > 0) this.#schedule(nextInMs);
  }

  async #read(refresh: Refresh, query: JobsQuery): Promise<void> {
    const signal = this.#stopped.signal;
    if (refresh.kind === 'list') {
      const path = jobsPath(query);
      const list = await getJson<JobList>(path, signal);
      // The query changed while it was read: its own read is due.
      if (jobsPath(this.#deps.query()) === path) this.#deps.onList(list);
      else this.#listWanted = true;
    } else if (refresh.kind === 'rows') {
      const jobs = await Promise.all(refresh.ids.map((id) => readJob(id, signal)));
      const found = jobs.filter((job): job is JobDetails => job !== null);
      if (found.length < jobs.length) this.#listWanted = true; // a job was deleted: the page shifts
      if (!signal.aborted) this.#deps.onRows(found);
    }
  }
}

async function readJob(id: string, signal: AbortSignal): Promise<JobDetails | null> {
  try {
    return await getJson<JobDetails>(`/v1/jobs/${encodeURIComponent(id)}`, signal);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}
