import type { JobDetails } from '../api/types.js';
import { jobHref } from '../route.js';

/** The jobs this one is linked to by retries: the job it retries and the jobs that retry it. */
export function RetryChain({ job }: { job: JobDetails }) {
  if (!job.retryOf && job.retries.length === 0) return null;
  return (
    <section class="card retry-chain" aria-labelledby="retry-chain-title" data-testid="retry-chain">
      <h3 id="retry-chain-title">Retry chain</h3>
      {job.retryOf ? (
        <p>
          Retries the failed requests of{' '}
          <a class="mono" href={jobHref(job.retryOf)} data-testid="retry-of">
            {job.retryOf}
          </a>
        </p>
      ) : null}
      {job.retries.length > 0 ? (
        <>
          <p>Retried by (oldest first):</p>
          <ol class="stacked">
            {job.retries.map((id) => (
              <li key={id}>
                <a class="mono" href={jobHref(id)} data-testid="retried-by">
                  {id}
                </a>
              </li>
            ))}
          </ol>
          <p class="muted">
            The merged results (GET /v1/jobs/{'{id}'}/results?merged=true) show each request's
            newest outcome along the chain.
          </p>
        </>
      ) : null}
    </section>
  );
}
