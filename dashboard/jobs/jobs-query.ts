import { query } from '../api/api-client.js';

export const SORT_FIELDS = [
  'createdAt',
  'updatedAt',
  'priority',
  'status',
  'startedAt',
  'completedAt',
] as const;
export type SortField = (typeof SORT_FIELDS)[number];

/** What the jobs view asks `GET /v1/jobs` for. */
export interface JobsQuery {
  status: string;
  priority: string;
  tag: string;
  q: string;
  sortBy: SortField;
  sortOrder: 'asc' | 'desc';
  offset: number;
  limit: number;
}

export const DEFAULT_JOBS_QUERY: JobsQuery = {
  status: '',
  priority: '',
  tag: '',
  q: '',
  sortBy: 'createdAt',
  sortOrder: 'desc',
  offset: 0,
  limit: 25,
};

export function jobsPath(q: JobsQuery): string {
  return `/v1/jobs${query({
    status: q.status,
    priority: q.priority,
    tags: q.tag.trim(),
    q: q.q.trim(),
    sortBy: q.sortBy,
    sortOrder: q.sortOrder,
    limit: q.limit,
    offset: q.offset,
  })}`;
}

/** Sorting by a column: the same column flips the order, another starts descending. */
export function sortedBy(current: JobsQuery, field: SortField): JobsQuery {
  const sortOrder = current.sortBy === field && current.sortOrder === 'desc' ? 'asc' : 'desc';
  return { ...current, sortBy: field, sortOrder, offset: 0 };
}

const STORAGE_KEY = 'batchkeeper.jobsQuery';

/** The filters last used in this tab (kept while a job's page is open), else the defaults. */
export function rememberedJobsQuery(): JobsQuery {
  try {
    const stored = JSON.parse(
      sessionStorage.getItem(STORAGE_KEY) ?? 'null',
    ) as Partial<JobsQuery> | null;
    return { ...DEFAULT_JOBS_QUERY, ...(stored ?? {}) };
  } catch {
    return DEFAULT_JOBS_QUERY;
  }
}

export function rememberJobsQuery(query: JobsQuery): void {
  try {
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(query));
  } catch {
    // storage disabled: the filters reset on the next visit
  }
}
