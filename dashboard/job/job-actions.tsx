import { useState } from 'preact/hooks';
import { deleteJson, postJson } from '../api/api-client.js';
import type { JobDetails } from '../api/types.js';
import { ConfirmedAction } from '../ui/confirmed-action.js';
import { ErrorLine } from '../ui/error-line.js';

export interface JobActionsProps {
  job: JobDetails;
  onChanged: () => void;
  onDeleted: () => void;
}

/**
 * Cancel, pause, resume, delete, each behind a confirmation. Every button is offered whatever
 * the status: the API decides, and its refusal is shown as it said it.
 */
export function JobActions({ job, onChanged, onDeleted }: JobActionsProps) {
  const [error, setError] = useState<string | null>(null);
  const path = `/v1/jobs/${encodeURIComponent(job.id)}`;
  return (
    <section class="card actions" aria-label="Actions">
      <div class="buttons">
        <ConfirmedAction
          label="Cancel"
          question={`Cancel job ${job.id}? Its unfinished requests are cancelled at Anthropic.`}
          danger
          run={() => postJson(`${path}/cancel`)}
          onDone={onChanged}
          onError={setError}
        />
        <ConfirmedAction
          label="Pause"
          question={`Pause job ${job.id}? Nothing new is submitted until it is resumed.`}
          run={() => postJson(`${path}/pause`)}
          onDone={onChanged}
          onError={setError}
        />
        <ConfirmedAction
          label="Resume"
          question={`Resume job ${job.id}?`}
          run={() => postJson(`${path}/resume`)}
          onDone={onChanged}
          onError={setError}
        />
        <ConfirmedAction
          label="Delete"
          question={`Delete job ${job.id}? Its results go; its event log stays for audits.`}
          danger
          run={() => deleteJson(path)}
          onDone={onDeleted}
          onError={setError}
        />
      </div>
      <ErrorLine message={error} />
    </section>
  );
}
