import { useEffect, useMemo, useState } from 'preact/hooks';
import { getJson } from '../api/api-client.js';
import { TERMINAL_STATUSES } from '../api/job-status.js';
import type { JobList } from '../api/types.js';
import { formatCount } from '../format.js';
import { ErrorLine } from '../ui/error-line.js';
import { useNow } from '../ui/use-now.js';
import { usePolled } from '../ui/use-polled.js';
import { ActivityCharts } from './activity-charts.js';
import { JobsFilters } from './jobs-filters.js';
import {
  type JobsQuery,
  jobsPath,
  rememberedJobsQuery,
  rememberJobsQuery,
  sortedBy,
} from './jobs-query.js';
import { JobsTable } from './jobs-table.js';
import { StatsHeader } from './stats-header.js';
import { useJobStreams } from './use-job-streams.js';

/** How often the list is read again (the streams move the followed rows in between). */
const LIST_REFRESH_MS = 2000;

/** The jobs view: figures, activity charts, filters and the live table. */
export function JobsPage() {
  const [query, setQuery] = useState<JobsQuery>(rememberedJobsQuery);
  useEffect(() => rememberJobsQuery(query), [query]);
  const path = jobsPath(query);
  const list = usePolled((signal) => getJson<JobList>(path, signal), path, LIST_REFRESH_MS);
  const now = useNow();
  const jobs = list.data?.jobs ?? [];
  const unfinished = useMemo(
    () => jobs.filter((job) => !TERMINAL_STATUSES.includes(job.status)).map((job) => job.id),
    [jobs],
  );
  const live = useJobStreams(unfinished);
  const total = list.data?.total ?? 0;
  const first = total === 0 ? 0 : query.offset + 1;
  const last = Math.min(query.offset + query.limit, total);

  return (
    <main id="main" class="page">
      <StatsHeader />
      <ActivityCharts />
      <section class="jobs" aria-labelledby="jobs-title">
        <div class="section-head">
          <h2 id="jobs-title">Jobs</h2>
          <span class="muted" aria-live="polite">
            {list.data
              ? `${formatCount(first)}–${formatCount(last)} of ${formatCount(total)}`
              : 'loading…'}
          </span>
        </div>
        <JobsFilters value={query} onChange={setQuery} />
        <ErrorLine message={list.error} />
        <JobsTable
          jobs={jobs}
          live={live}
          query={query}
          now={now}
          onSort={(field) => setQuery(sortedBy(query, field))}
        />
        <nav class="pager" aria-label="Pages">
          <button
            type="button"
            disabled={query.offset === 0}
            onClick={() => setQuery({ ...query, offset: Math.max(0, query.offset - query.limit) })}
          >
            ← Previous
          </button>
          <button
            type="button"
            disabled={last >= total}
            onClick={() => setQuery({ ...query, offset: query.offset + query.limit })}
          >
            Next →
          </button>
        </nav>
      </section>
    </main>
  );
}
