import { PRIORITY_NAMES } from '../api/priority.js';
import type { JobDetails } from '../api/types.js';
import {
  formatCount,
  formatDuration,
  formatTime,
  formatTokens,
  formatUsd,
  jobDuration,
  shortJson,
} from '../format.js';
import { ProgressBar } from '../ui/progress-bar.js';
import { StatusBadge } from '../ui/status-badge.js';
import { cachePrimingText } from './cache-priming.js';
import { cacheReportText } from './cache-report.js';
import { costSplitText } from './cost-split.js';

function Row({ label, children }: { label: string; children: preact.ComponentChildren }) {
  return (
    <div class="kv">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

/** The job at a glance: status, progress, outcome counts, times, usage, tags and metadata. */
export function JobSummary({ job, now }: { job: JobDetails; now: number }) {
  const p = job.progress;
  const outcomes = [
    ['succeeded', p.completed],
    ['errored', p.failed],
    ['canceled', p.cancelled],
    ['expired', p.expired],
    ['processing', p.processing],
    ['pending', p.pending],
  ] as const;
  return (
    <section class="card summary" aria-label="Summary">
      <div class="summary-head">
        <StatusBadge status={job.status} step={job.step} />
        <span class="current-state" data-testid="current-state">
          {job.step ? `${job.status}.${job.step}` : job.status}
        </span>
      </div>
      <ProgressBar progress={p} />
      <ul class="outcomes" aria-label="Request outcomes">
        {outcomes.map(([name, count]) => (
          <li key={name} class={`outcome outcome-${name}`}>
            <span class="outcome-n">{formatCount(count)}</span> {name}
          </li>
        ))}
      </ul>
      <dl class="kvs">
        <Row label="Priority">{PRIORITY_NAMES[job.priority] ?? job.priority}</Row>
        <Row label="Requests">
          {formatCount(job.totalRequests)} ({formatCount(job.uniqueRequests)} unique,{' '}
          {formatCount(job.deduplicatedRequests)} deduplicated)
        </Row>
        <Row label="Created">{formatTime(job.createdAt)}</Row>
        <Row label="Started">{job.startedAt ? formatTime(job.startedAt) : '–'}</Row>
        <Row label="Ended">{job.completedAt ? formatTime(job.completedAt) : '–'}</Row>
        <Row label="Duration">{formatDuration(jobDuration(job, now))}</Row>
        <Row label="Tokens">
          {formatTokens(job.usage.inputTokens)} in · {formatTokens(job.usage.outputTokens)} out
        </Row>
        <Row label="Cost">{formatUsd(job.usage.costUsd)}</Row>
        {job.usage.cost ? <Row label="Cost split">{costSplitText(job.usage.cost)}</Row> : null}
        {cacheReportText(job.cache) ? (
          <Row label="Prompt cache">{cacheReportText(job.cache)}</Row>
        ) : null}
        {job.cachePriming ? (
          <Row label="Cache priming">{cachePrimingText(job.cachePriming)}</Row>
        ) : null}
        <Row label="Tags">
          <span class="tags">
            {job.tags.length === 0
              ? '–'
              : job.tags.map((tag) => (
                  <span key={tag} class="tag">
                    {tag}
                  </span>
                ))}
          </span>
        </Row>
        {job.failureReason ? <Row label="Failure">{job.failureReason}</Row> : null}
        {job.retryCount > 0 ? <Row label="Retries">{formatCount(job.retryCount)}</Row> : null}
      </dl>
      {Object.keys(job.metadata).length > 0 ? (
        <details class="metadata">
          <summary>Metadata ({Object.keys(job.metadata).length})</summary>
          <dl class="kvs">
            {Object.entries(job.metadata).map(([name, value]) => (
              <Row key={name} label={name}>
                <span class="mono">{shortJson(value, 200)}</span>
              </Row>
            ))}
          </dl>
        </details>
      ) : null}
    </section>
  );
}
