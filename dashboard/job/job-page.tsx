import { useEffect, useState } from 'preact/hooks';
import { getJson, query } from '../api/api-client.js';
import { TERMINAL_STATUSES } from '../api/job-status.js';
import { followJobLive } from '../api/job-stream.js';
import type { JobDetails, JobEventLog } from '../api/types.js';
import { formatTime } from '../format.js';
import { jobHref } from '../route.js';
import { ErrorLine } from '../ui/error-line.js';
import { useNow } from '../ui/use-now.js';
import { usePolled } from '../ui/use-polled.js';
import { BatchesTable } from './batches-table.js';
import { BudgetSection } from './budget-section.js';
import { Deliveries } from './deliveries.js';
import { EventTimeline } from './event-timeline.js';
import { JobActions } from './job-actions.js';
import { JobSummary } from './job-summary.js';
import { RecentErrors } from './recent-errors.js';
import { ResultsPreview } from './results-preview.js';
import { RetryChain } from './retry-chain.js';
import { RetryFailed } from './retry-failed.js';
import { StateChart } from './state-chart.js';

/** A word that changes whenever the job's stream says it moved on. */
function useLiveVersion(jobId: string, following: boolean): string {
  const [version, setVersion] = useState('');
  useEffect(() => {
    if (!following) return;
    const controller = new AbortController();
    void followJobLive(
      jobId,
      (data) =>
        setVersion(
          data
            ? `${data.updatedAt}|${data.status}|${data.step}|${data.progress.percentComplete}`
            : 'deleted',
        ),
      controller.signal,
      (data) => TERMINAL_STATUSES.includes(data.status),
    );
    return () => controller.abort();
  }, [jobId, following]);
  return version;
}

/** One job: summary, live progress, chart, timeline (with time travel), batches, errors, results, webhooks, actions. */
export function JobPage({ id, asOf }: { id: string; asOf: number | null }) {
  const jobPath = `/v1/jobs/${encodeURIComponent(id)}`;
  const [deleted, setDeleted] = useState(false);
  const [ended, setEnded] = useState(false);
  const liveVersion = useLiveVersion(id, !ended && !deleted);
  const now = useNow();

  const job = usePolled(
    (signal) => getJson<JobDetails>(`${jobPath}${query({ asOf })}`, signal),
    `${jobPath}|${asOf}|${liveVersion}`,
    5000,
  );
  const events = usePolled(
    (signal) => getJson<JobEventLog>(`${jobPath}/events`, signal),
    `${jobPath}|${liveVersion}`,
    5000,
  );
  const current = job.data;
  useEffect(() => {
    if (current && asOf === null) setEnded(TERMINAL_STATUSES.includes(current.status));
  }, [current?.status, asOf]);

  const version = `${liveVersion}|${current?.updatedAt ?? ''}|${events.data?.events.length ?? 0}`;
  const select = (v: number | null) => {
    location.hash = jobHref(id, v);
  };

  return (
    <main id="main" class="page job-page">
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href="#/">Jobs</a> <span aria-hidden="true">/</span> <span class="mono">{id}</span>
      </nav>
      <h2 class="job-title mono">{id}</h2>
      {deleted ? (
        <p class="notice">This job was deleted; its event log stays readable below.</p>
      ) : null}
      {asOf !== null ? (
        <p class="notice as-of" data-testid="as-of-notice">
          Showing the job as it was right after event {asOf}
          {current?.asOf ? ` (${formatTime(current.asOf.at)})` : ''}: status, step, progress,
          batches and cost from the log. Per-request details (errors, results, webhook deliveries)
          are as of now. <a href={jobHref(id)}>Back to now</a>
        </p>
      ) : null}
      <ErrorLine message={job.error} />
      <div class="job-grid">
        <div class="job-main">
          {current ? (
            <JobSummary job={current} now={now} />
          ) : (
            <section class="card summary placeholder">loading…</section>
          )}
          {current && asOf === null && !deleted ? (
            <JobActions job={current} onChanged={job.reload} onDeleted={() => setDeleted(true)} />
          ) : null}
          {current ? (
            <BudgetSection
              job={current}
              editable={asOf === null && !deleted && !TERMINAL_STATUSES.includes(current.status)}
              onChanged={job.reload}
            />
          ) : null}
          {current && asOf === null ? <RetryChain job={current} /> : null}
          {current && asOf === null && !deleted && ended ? (
            <RetryFailed job={current} onRetried={job.reload} />
          ) : null}
          <StateChart jobId={id} asOf={asOf} version={version} />
          {current ? <BatchesTable batches={current.batches} /> : null}
        </div>
        <div class="job-side">
          {events.data ? (
            <EventTimeline events={events.data.events} asOf={asOf} onSelect={select} />
          ) : (
            <section class="card timeline placeholder">
              <ErrorLine message={events.error} />
              loading events…
            </section>
          )}
        </div>
      </div>
      {current ? <RecentErrors errors={current.errors} /> : null}
      {!deleted ? <ResultsPreview jobId={id} version={version} /> : null}
      <Deliveries jobId={id} version={version} />
    </main>
  );
}
