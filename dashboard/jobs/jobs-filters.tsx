import { useEffect, useState } from 'preact/hooks';
import { JOB_STATUSES } from '../api/job-status.js';
import { PRIORITY_NAMES } from '../api/priority.js';
import type { JobsQuery, SortField } from './jobs-query.js';

export interface JobsFiltersProps {
  value: JobsQuery;
  onChange: (next: JobsQuery) => void;
}

/** Text typed is sent once typing pauses, so each key press is not a request. */
function useDebounced(text: string, ms: number): string {
  const [settled, setSettled] = useState(text);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(text), ms);
    return () => clearTimeout(timer);
  }, [text, ms]);
  return settled;
}

/** Status, priority, tag and text search over the jobs list. */
export function JobsFilters({ value, onChange }: JobsFiltersProps) {
  const [q, setQ] = useState(value.q);
  const [tag, setTag] = useState(value.tag);
  const settledQ = useDebounced(q, 300);
  const settledTag = useDebounced(tag, 300);
  useEffect(() => {
    if (settledQ !== value.q || settledTag !== value.tag) {
      onChange({ ...value, q: settledQ, tag: settledTag, offset: 0 });
    }
  }, [settledQ, settledTag]);

  return (
    <form class="filters" aria-label="Filter jobs" onSubmit={(event) => event.preventDefault()}>
      <label>
        <span>Search</span>
        <input
          type="search"
          name="q"
          placeholder="id prefix, tag, metadata value"
          value={q}
          onInput={(event) => setQ(event.currentTarget.value)}
        />
      </label>
      <label>
        <span>Status</span>
        <select
          name="status"
          value={value.status}
          onChange={(event) => onChange({ ...value, status: event.currentTarget.value, offset: 0 })}
        >
          <option value="">any</option>
          {JOB_STATUSES.map((status) => (
            <option key={status} value={status}>
              {status}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>Priority</span>
        <select
          name="priority"
          value={value.priority}
          onChange={(event) =>
            onChange({ ...value, priority: event.currentTarget.value, offset: 0 })
          }
        >
          <option value="">any</option>
          {Object.entries(PRIORITY_NAMES).map(([level, name]) => (
            <option key={level} value={level}>
              {level === '1' ? name : `${name} or more urgent`}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>Tag</span>
        <input
          type="text"
          name="tag"
          placeholder="tag"
          value={tag}
          onInput={(event) => setTag(event.currentTarget.value)}
        />
      </label>
      <label class="sort-select">
        <span>Sort</span>
        <select
          name="sort"
          value={`${value.sortBy} ${value.sortOrder}`}
          onChange={(event) => {
            const [sortBy, sortOrder] = event.currentTarget.value.split(' ') as [
              SortField,
              'asc' | 'desc',
            ];
            onChange({ ...value, sortBy, sortOrder, offset: 0 });
          }}
        >
          {SORT_CHOICES.map(([field, order, label]) => (
            <option key={`${field} ${order}`} value={`${field} ${order}`}>
              {label}
            </option>
          ))}
        </select>
      </label>
    </form>
  );
}

/** The sort select of narrow screens, where the table has no column headers. */
const SORT_CHOICES: [SortField, 'asc' | 'desc', string][] = [
  ['createdAt', 'desc', 'newest first'],
  ['createdAt', 'asc', 'oldest first'],
  ['priority', 'asc', 'most urgent first'],
  ['status', 'asc', 'by status'],
  ['startedAt', 'desc', 'started last first'],
  ['completedAt', 'desc', 'ended last first'],
];
