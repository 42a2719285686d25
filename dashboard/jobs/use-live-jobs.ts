import { useEffect, useRef, useState } from 'preact/hooks';
import type { Job, JobList } from '../api/types.js';
import { type JobsQuery, jobsPath } from './jobs-query.js';
import { JobsRefresher } from './jobs-refresher.js';
import { type FeedState, runLiveFeed } from './live-feed.js';

/** While the event feed is not live, the list is read this often instead. */
const FALLBACK_POLL_MS = 2000;

export interface LiveJobs {
  /** The page last read, its rows kept current by the feed. */
  list: JobList | undefined;
  error: string | null;
  feed: FeedState;
  /** The cursor of the newest event the list shows the effect of. */
  cursor: string | null;
}

/**
 * The page of jobs for `query`, kept current by the tenant's event feed (one connection for the
 * whole list): a burst of events about shown jobs reads those rows again, a new or deleted job
 * the page. Until the feed is open, and whenever it drops, the page is read every 2 s.
 */
export function useLiveJobs(query: JobsQuery): LiveJobs {
  const [list, setList] = useState<JobList | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [feed, setFeed] = useState<FeedState>('connecting');
  const [cursor, setCursor] = useState<string | null>(null);
  const queryRef = useRef(query);
  queryRef.current = query;
  const listRef = useRef(list);
  listRef.current = list;
  const refresherRef = useRef<JobsRefresher | null>(null);

  useEffect(() => {
    const refresher = new JobsRefresher({
      query: () => queryRef.current,
      shown: () => listRef.current?.jobs,
      onList: (next) => {
        listRef.current = next;
        setList(next);
      },
      onRows: (jobs) => {
        const current = listRef.current;
        if (!current) return;
        const next = { ...current, jobs: withRows(current.jobs, jobs) };
        listRef.current = next;
        setList(next);
      },
      onError: setError,
      onSeen: setCursor,
    });
    refresherRef.current = refresher;
    const stopped = new AbortController();
    void runLiveFeed(
      {
        onState: setFeed,
        onEvent: (event) => refresher.eventArrived(event),
        onRestart: () => refresher.readList(),
      },
      stopped.signal,
    );
    return () => {
      stopped.abort();
      refresher.stop();
    };
  }, []);

  const path = jobsPath(query);
  useEffect(() => refresherRef.current?.readList(true), [path]);

  useEffect(() => {
    if (feed === 'live') return;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') refresherRef.current?.readList();
    }, FALLBACK_POLL_MS);
    return () => clearInterval(timer);
  }, [feed]);

  return { list, error, feed, cursor };
}

/** The rows with the ones read again put in their place. */
function withRows(rows: readonly Job[], fresh: readonly Job[]): Job[] {
  const byId = new Map(fresh.map((job) => [job.id, job]));
  return rows.map((row) => byId.get(row.id) ?? row);
}
