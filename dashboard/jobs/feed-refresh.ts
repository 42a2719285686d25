// Pure, and free of the browser's globals (the Node tests import it): the page's shape is only
// what it needs of a JobsQuery.

/** What of the query decides how events move the page. */
export interface PageShape {
  status: string;
  sortBy: string;
}

/** What an event of the feed says, as far as the list cares. */
export interface EventAbout {
  jobId: string;
  type: string;
}

/** What to read again after a burst of events: the whole page, or some of its rows. */
export type Refresh = { kind: 'list' } | { kind: 'rows'; ids: string[] } | { kind: 'none' };

/** Events that add a job to the log or take one away: pages shift. */
const MEMBERSHIP_EVENTS: ReadonlySet<string> = new Set(['JobCreated', 'JobDeleted']);

/** Sort keys that events change (a job moves within the list). */
const MOVING_SORTS: ReadonlySet<string> = new Set([
  'status',
  'updatedAt',
  'startedAt',
  'completedAt',
]);

/**
 * A page whose jobs only a new or deleted job changes: no status filter and a sort on what a job
 * keeps (priority, tags, metadata, creation time). Any other page may gain, lose or reorder jobs
 * on any event, which only the server's filter can tell.
 */
export function pageKeepsItsJobs(query: PageShape): boolean {
  return query.status === '' && !MOVING_SORTS.has(query.sortBy);
}

/**
 * One read for a burst: the page again when its set of jobs may have changed (a job created or
 * deleted, or a page that events reorder), else each shown job an event was about, once.
 */
export function refreshFor(
  events: readonly EventAbout[],
  query: PageShape,
  shownIds: ReadonlySet<string>,
): Refresh {
  if (events.length === 0) return { kind: 'none' };
  if (!pageKeepsItsJobs(query) || events.some((event) => MEMBERSHIP_EVENTS.has(event.type))) {
    return { kind: 'list' };
  }
  const ids = [...new Set(events.map((event) => event.jobId))].filter((id) => shownIds.has(id));
  return ids.length > 0 ? { kind: 'rows', ids } : { kind: 'none' };
}
