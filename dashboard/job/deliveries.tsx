import { useState } from 'preact/hooks';
import { getJson, postJson, query } from '../api/api-client.js';
import type { DeliveryPage } from '../api/types.js';
import { formatTime } from '../format.js';
import { ConfirmedAction } from '../ui/confirmed-action.js';
import { ErrorLine } from '../ui/error-line.js';
import { usePolled } from '../ui/use-polled.js';

/** The webhook deliveries about this job, each with its attempts; a dead one can be sent again. */
export function Deliveries({ jobId, version }: { jobId: string; version: string }) {
  const [actionError, setActionError] = useState<string | null>(null);
  const page = usePolled(
    (signal) =>
      getJson<DeliveryPage>(`/v1/webhooks/deliveries${query({ jobId, limit: 50 })}`, signal),
    `${jobId}|${version}`,
    10_000,
  );
  const deliveries = page.data?.deliveries ?? [];
  return (
    <section class="card" aria-labelledby="deliveries-title">
      <h3 id="deliveries-title">Webhook deliveries</h3>
      <ErrorLine message={page.error ?? actionError} />
      {page.data && deliveries.length === 0 ? <p class="muted">None for this job.</p> : null}
      <ul class="deliveries">
        {deliveries.map((d) => (
          <li key={d.id} class={`delivery delivery-${d.status}`}>
            <div class="delivery-head">
              <span class={`pill pill-${d.status}`}>{d.status}</span>
              <span>{d.type}</span>
              <span class="mono wrap">{d.url}</span>
              <span class="muted">{d.attemptCount} attempts</span>
              {d.status === 'dead' ? (
                <ConfirmedAction
                  label="Retry"
                  question={`Send delivery ${d.id} (${d.type}) to ${d.url} again?`}
                  run={() => postJson(`/v1/webhooks/deliveries/${encodeURIComponent(d.id)}/retry`)}
                  onDone={page.reload}
                  onError={setActionError}
                />
              ) : null}
            </div>
            {d.lastError ? <p class="wrap muted">last error: {d.lastError}</p> : null}
            {d.attempts.length > 0 ? (
              <details>
                <summary>Attempts</summary>
                <ol class="attempts">
                  {d.attempts.map((a) => (
                    <li key={a.attemptNumber}>
                      #{a.attemptNumber} {formatTime(a.attemptedAt)} · {a.statusCode ?? 'no answer'}{' '}
                      · {a.durationMs} ms · {a.instanceId}
                      {a.error ? <span class="wrap"> · {a.error}</span> : null}
                    </li>
                  ))}
                </ol>
              </details>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
