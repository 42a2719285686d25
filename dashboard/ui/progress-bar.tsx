import type { JobProgress } from '../api/types.js';

/** A bar of the job's requests: done (succeeded, failed...) and the rest, with the share as text. */
export function ProgressBar({ progress }: { progress: JobProgress }) {
  const total = Math.max(progress.total, 1);
  const part = (n: number) => `${(n / total) * 100}%`;
  const label = `${progress.percentComplete}% of ${progress.total} requests done`;
  return (
    <div
      class="progress"
      role="progressbar"
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={progress.percentComplete}
      aria-label={label}
    >
      <div class="progress-track">
        <span class="progress-done" style={{ width: part(progress.completed) }} />
        <span class="progress-failed" style={{ width: part(progress.failed) }} />
        <span
          class="progress-other"
          style={{ width: part(progress.cancelled + progress.expired) }}
        />
      </div>
      <span class="progress-text">{progress.percentComplete}%</span>
    </div>
  );
}
