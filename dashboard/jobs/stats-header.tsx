import { getJson } from '../api/api-client.js';
import { JOB_STATUSES } from '../api/job-status.js';
import type { JobStats } from '../api/types.js';
import { formatCount, formatTokens, formatUsd } from '../format.js';
import { ErrorLine } from '../ui/error-line.js';
import { usePolled } from '../ui/use-polled.js';

function Figure({ label, value, detail }: { label: string; value: string; detail?: string }) {
  return (
    <div class="figure">
      <dt>{label}</dt>
      <dd>
        <span class="figure-value">{value}</span>
        {detail ? <span class="figure-detail">{detail}</span> : null}
      </dd>
    </div>
  );
}

/** Counts of a record as `name n · name n`, largest first; `none` when empty. */
function countsLine(counts: Record<string, number> | undefined): string {
  const entries = Object.entries(counts ?? {}).filter(([, n]) => n > 0);
  if (entries.length === 0) return 'none';
  return entries
    .sort((a, b) => b[1] - a[1])
    .map(([name, n]) => `${name} ${formatCount(n)}`)
    .join(' · ');
}

/** The tenant's figures from `/v1/stats`, read every few seconds. */
export function StatsHeader() {
  const stats = usePolled((signal) => getJson<JobStats>('/v1/stats', signal), 'stats', 5000);
  const s = stats.data;
  const today = s?.today;
  const deliveries = s?.webhookDeliveries;
  return (
    <section class="stats" aria-label="Statistics">
      <dl class="figures">
        <Figure
          label="Queue depth"
          value={s ? formatCount(s.queueDepth) : '…'}
          detail="pending + queued"
        />
        <Figure
          label="Tokens today"
          value={today ? formatTokens(today.inputTokens + today.outputTokens) : '…'}
          detail={
            today
              ? `${formatTokens(today.inputTokens)} in · ${formatTokens(today.outputTokens)} out`
              : ''
          }
        />
        <Figure
          label="Cost today"
          value={today ? formatUsd(today.costUsd) : '…'}
          detail={s ? `${formatUsd(s.costUsd)} in all` : ''}
        />
        <Figure
          label="Webhooks"
          value={deliveries ? `${formatCount(deliveries.pending)} pending` : '…'}
          detail={deliveries ? `${formatCount(deliveries.dead)} dead` : ''}
        />
        <Figure label="Anthropic errors today" value={s ? countsLine(today?.errorsByType) : '…'} />
      </dl>
      <ul class="status-counts" aria-label="Jobs by status">
        {JOB_STATUSES.map((status) => (
          <li key={status} class={`status-count status-${status}`}>
            <span class="status-count-n">{s ? formatCount(s.byStatus[status] ?? 0) : '…'}</span>{' '}
            {status}
          </li>
        ))}
      </ul>
      <ErrorLine message={stats.error} />
    </section>
  );
}
