import { useEffect, useState } from 'preact/hooks';
import { formatCount } from '../format.js';
import { ErrorLine } from '../ui/error-line.js';
import { useNow } from '../ui/use-now.js';
import { ActivityCharts } from './activity-charts.js';
import { JobsFilters } from './jobs-filters.js';
import { type JobsQuery, rememberedJobsQuery, rememberJobsQuery, sortedBy } from './jobs-query.js';
import { JobsTable } from './jobs-table.js';
import { LiveIndicator } from './live-indicator.js';
import { StatsHeader } from './stats-header.js';
import { useLiveJobs } from './use-live-jobs.js';

/** The jobs view: figures, activity charts, filters and the table the event feed keeps current. */
export function JobsPage() {
  const [query, setQuery] = useState<JobsQuery>(rememberedJobsQuery);
  useEffect(() => rememberJobsQuery(query), [query]);
  const list = useLiveJobs(query);
  const now = useNow();
  const jobs = list.list?.jobs ?? [];
  const total = list.list?.total ?? 0;
  const first = total === 0 ? 0 : query.offset + 1;
  const last = Math.min(query.offset + query.limit, total);

  return (
    <main id="main" class="page">
      <StatsHeader />
      <ActivityCharts />
      <section class="jobs" aria-labelledby="jobs-title">
        <div class="section-head">
          <h2 id="jobs-title">Jobs</h2>
          <span class="section-side">
            <LiveIndicator state={list.feed} cursor={list.cursor} />
            <span class="muted" aria-live="polite">
              {list.list
                ? `${formatCount(first)}–${formatCount(last)} of ${formatCount(total)}`
                : 'loading…'}
            </span>
          </span>
        </div>
        <JobsFilters value={query} onChange={setQuery} />
        <ErrorLine message={list.error} />
        <JobsTable
          jobs={jobs}
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
