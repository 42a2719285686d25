import { useState } from 'preact/hooks';
import { postJson } from '../api/api-client.js';
import type { JobDetails } from '../api/types.js';
import { jobHref } from '../route.js';
import { ConfirmedAction } from '../ui/confirmed-action.js';
import { ErrorLine } from '../ui/error-line.js';

const RESULT_TYPES = ['errored', 'expired', 'canceled'] as const;
type ResultType = (typeof RESULT_TYPES)[number];

/** The body of POST /v1/jobs/{id}/retry from the form; overrides that are not a JSON object throw. */
function retryBody(types: ResultType[], errorTypes: string, overrides: string) {
  const errors = errorTypes
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  let patch: unknown;
  if (overrides.trim() !== '') {
    try {
      patch = JSON.parse(overrides);
    } catch {
      throw new Error('Overrides must be JSON, e.g. {"max_tokens": 2048}');
    }
    if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
      throw new Error('Overrides must be a JSON object (a merge patch of the params)');
    }
  }
  return {
    filter: { resultTypes: types, ...(errors.length > 0 ? { errorTypes: errors } : {}) },
    ...(patch ? { overrides: patch } : {}),
  };
}

/**
 * "Retry failed": the result types and error types to send again and a JSON merge patch for
 * their params, behind a confirmation; the API validates (and refuses) as it does for any job.
 */
export function RetryFailed({ job, onRetried }: { job: JobDetails; onRetried: () => void }) {
  const [types, setTypes] = useState<ResultType[]>([...RESULT_TYPES]);
  const [errorTypes, setErrorTypes] = useState('');
  const [overrides, setOverrides] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<string | null>(null);
  const toggle = (type: ResultType, on: boolean) =>
    setTypes((now) => (on ? [...now, type] : now.filter((t) => t !== type)));
  const failed = job.progress.failed + job.progress.expired + job.progress.cancelled;
  return (
    <section class="card retry-failed" aria-labelledby="retry-failed-title">
      <h3 id="retry-failed-title">Retry failed requests</h3>
      <p class="muted">
        {failed} of {job.progress.total} requests did not succeed. A new job sends the selected ones
        again; what succeeded is kept.
      </p>
      <fieldset class="filters">
        <legend>Send again the requests that</legend>
        {RESULT_TYPES.map((type) => (
          <label key={type}>
            <span>{type}</span>
            <input
              type="checkbox"
              name={`retry-${type}`}
              checked={types.includes(type)}
              onChange={(event) => toggle(type, event.currentTarget.checked)}
            />
          </label>
        ))}
        <label>
          <span>only these error types (comma separated)</span>
          <input
            type="text"
            name="retry-error-types"
            placeholder="overloaded_error"
            value={errorTypes}
            onInput={(event) => setErrorTypes(event.currentTarget.value)}
          />
        </label>
      </fieldset>
      <label class="stacked">
        <span>Overrides: a JSON merge patch applied to each request's params</span>
        <textarea
          name="retry-overrides"
          rows={3}
          placeholder='{"max_tokens": 2048}'
          value={overrides}
          onInput={(event) => setOverrides(event.currentTarget.value)}
        />
      </label>
      <div class="buttons">
        <ConfirmedAction
          label="Retry failed"
          question={`Send the ${types.join(', ') || 'selected'} requests of job ${job.id} again as a new job?`}
          disabled={types.length === 0}
          run={async () => {
            const retried = await postJson<{ id: string }>(
              `/v1/jobs/${encodeURIComponent(job.id)}/retry`,
              retryBody(types, errorTypes, overrides),
            );
            setCreated(retried.id);
          }}
          onDone={onRetried}
          onError={setError}
        />
      </div>
      {created ? (
        <p role="status" data-testid="retry-created">
          Created{' '}
          <a class="mono" href={jobHref(created)}>
            {created}
          </a>
        </p>
      ) : null}
      <ErrorLine message={error} />
    </section>
  );
}
