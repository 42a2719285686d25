import type { JobDetails } from '../api/types.js';
import { formatUsd } from '../format.js';
import { capText, overBudgetText, pausedForText, tenantDailyText } from './budget-text.js';
import { CapEditor } from './cap-editor.js';

/** Spent against the cap as a bar, with the figures as text. */
function CapMeter({ spentUsd, maxCostUsd }: { spentUsd: number | null; maxCostUsd: number }) {
  const text = `${formatUsd(spentUsd)} of ${formatUsd(maxCostUsd)} spent`;
  return (
    <div class="budget-meter">
      <meter
        min={0}
        max={maxCostUsd}
        value={Math.min(spentUsd ?? 0, maxCostUsd)}
        high={maxCostUsd * 0.9}
        optimum={0}
        aria-label="Spent of the cap"
      >
        {text}
      </meter>
      <span data-testid="budget-spent">{text}</span>
    </div>
  );
}

export interface BudgetSectionProps {
  job: JobDetails;
  /** Whether the cap may be changed here (the job as of now, and not ended). */
  editable: boolean;
  onChanged: () => void;
}

/** The job's budget: its cap, what it does over budget, spent against the cap, why it is paused; and the cap editor. */
export function BudgetSection({ job, editable, onChanged }: BudgetSectionProps) {
  const { budget } = job;
  const paused = job.status === 'paused' ? pausedForText(budget) : null;
  return (
    <section class="card budget" aria-labelledby="budget-title">
      <div class="section-head">
        <h3 id="budget-title">Budget</h3>
      </div>
      <dl class="kvs">
        <div class="kv">
          <dt>Cap</dt>
          <dd data-testid="budget-cap">{capText(budget.maxCostUsd)}</dd>
        </div>
        <div class="kv">
          <dt>Over budget</dt>
          <dd>{overBudgetText(budget.overBudget)}</dd>
        </div>
        <div class="kv kv-wide">
          <dt>Spent</dt>
          <dd>
            {budget.maxCostUsd === null ? (
              formatUsd(job.usage.costUsd)
            ) : (
              <CapMeter spentUsd={job.usage.costUsd} maxCostUsd={budget.maxCostUsd} />
            )}
          </dd>
        </div>
        {paused ? (
          <div class="kv kv-wide">
            <dt>Paused for</dt>
            <dd data-testid="budget-paused-for">{paused}</dd>
          </div>
        ) : null}
        {budget.tenantDaily && budget.pausedFor !== 'tenant-budget' ? (
          <div class="kv kv-wide">
            <dt>Tenant daily</dt>
            <dd>{tenantDailyText(budget.tenantDaily)}</dd>
          </div>
        ) : null}
      </dl>
      {editable ? (
        <CapEditor jobId={job.id} maxCostUsd={budget.maxCostUsd} onChanged={onChanged} />
      ) : null}
    </section>
  );
}
