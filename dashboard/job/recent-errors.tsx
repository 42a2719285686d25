import type { JobErrorEntry } from '../api/types.js';
import { formatTime } from '../format.js';
import { TableScroll } from '../ui/table-scroll.js';

function ErrorTable({ errors }: { errors: JobErrorEntry[] }) {
  return (
    <TableScroll label="Errors">
      <table>
        <thead>
          <tr>
            <th scope="col">Request</th>
            <th scope="col">Type</th>
            <th scope="col">Message</th>
            <th scope="col">At</th>
          </tr>
        </thead>
        <tbody>
          {errors.map((e) => (
            <tr key={`${e.customId}-${e.at}`}>
              <td class="mono">{e.customId}</td>
              <td>{e.type ?? '–'}</td>
              <td class="wrap">{e.message ?? '–'}</td>
              <td>{formatTime(e.at)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}

/** The latest errors: final ones (the request failed) apart from attempts sent again. */
export function RecentErrors({ errors }: { errors: JobErrorEntry[] }) {
  const final = errors.filter((e) => e.final);
  const retried = errors.filter((e) => !e.final);
  return (
    <section class="card" aria-labelledby="errors-title">
      <h3 id="errors-title">Recent errors</h3>
      {errors.length === 0 ? <p class="muted">No errors.</p> : null}
      {final.length > 0 ? (
        <>
          <h4>Final ({final.length})</h4>
          <ErrorTable errors={final} />
        </>
      ) : null}
      {retried.length > 0 ? (
        <details>
          <summary>Retried later ({retried.length})</summary>
          <ErrorTable errors={retried} />
        </details>
      ) : null}
    </section>
  );
}
