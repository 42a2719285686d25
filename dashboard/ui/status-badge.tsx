/** A job's status (and step while processing) as a coloured label. */
export function StatusBadge({ status, step }: { status: string; step?: string | null }) {
  return (
    <span class={`status status-${status}`} data-status={status}>
      {status}
      {step ? <span class="status-step"> · {step}</span> : null}
    </span>
  );
}
