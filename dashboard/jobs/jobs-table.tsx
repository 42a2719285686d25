import { PRIORITY_NAMES } from '../api/priority.js';
import type { Job } from '../api/types.js';
import { formatAge, formatCount, formatDuration, formatUsd, jobDuration } from '../format.js';
import { jobHref } from '../route.js';
import { ProgressBar } from '../ui/progress-bar.js';
import { StatusBadge } from '../ui/status-badge.js';
import { TableScroll } from '../ui/table-scroll.js';
import type { JobsQuery, SortField } from './jobs-query.js';

export interface JobsTableProps {
  jobs: Job[];
  query: JobsQuery;
  onSort: (field: SortField) => void;
  now: number;
}

function SortHeader(props: {
  field: SortField;
  label: string;
  query: JobsQuery;
  onSort: (f: SortField) => void;
}) {
  const active = props.query.sortBy === props.field;
  const order = active ? (props.query.sortOrder === 'asc' ? 'ascending' : 'descending') : 'none';
  return (
    <th scope="col" aria-sort={order}>
      <button type="button" class="sort" onClick={() => props.onSort(props.field)}>
        {props.label}
        <span class="sort-mark" aria-hidden="true">
          {active ? (props.query.sortOrder === 'asc' ? '▲' : '▼') : '↕'}
        </span>
      </button>
    </th>
  );
}

/** The jobs of one page: status, priority, tags, progress, requests, cost, age, duration. */
export function JobsTable({ jobs, query, onSort, now }: JobsTableProps) {
  return (
    <TableScroll label="Jobs">
      <table class="jobs-table">
        <thead>
          <tr>
            <th scope="col">Job</th>
            <SortHeader field="status" label="Status" query={query} onSort={onSort} />
            <SortHeader field="priority" label="Priority" query={query} onSort={onSort} />
            <th scope="col">Tags</th>
            <th scope="col">Progress</th>
            <th scope="col" class="num">
              Requests
            </th>
            <th scope="col" class="num">
              Cost
            </th>
            <SortHeader field="createdAt" label="Age" query={query} onSort={onSort} />
            <SortHeader field="startedAt" label="Duration" query={query} onSort={onSort} />
          </tr>
        </thead>
        <tbody>
          {jobs.length === 0 ? (
            <tr>
              <td colSpan={9} class="empty">
                No jobs match.
              </td>
            </tr>
          ) : (
            jobs.map((job) => (
              <tr key={job.id} data-job-id={job.id} data-status={job.status}>
                <td class="mono cell-id">
                  <a href={jobHref(job.id)}>{job.id}</a>
                </td>
                <td class="cell-status">
                  <StatusBadge status={job.status} step={job.step} />
                </td>
                <td class="cell-priority" data-label="priority">
                  {PRIORITY_NAMES[job.priority] ?? job.priority}
                </td>
                <td class="cell-tags">
                  <span class="tags">
                    {job.tags.map((tag) => (
                      <span key={tag} class="tag">
                        {tag}
                      </span>
                    ))}
                  </span>
                </td>
                <td class="cell-progress">
                  <ProgressBar progress={job.progress} />
                </td>
                <td class="num" data-label="requests">
                  {formatCount(job.totalRequests)}
                </td>
                <td class="num" data-label="cost">
                  {formatUsd(job.usage.costUsd)}
                </td>
                <td class="num" data-label="age">
                  {formatAge(job.createdAt, now)}
                </td>
                <td class="num" data-label="duration">
                  {formatDuration(jobDuration(job, now))}
                </td>
              </tr>
            ))
          )}
        </tbody>
      </table>
    </TableScroll>
  );
}
