import type { JobBatch } from '../api/types.js';
import { formatCount, formatTime } from '../format.js';
import { TableScroll } from '../ui/table-scroll.js';

/** The job's sub-batches with Anthropic's ids and their states. */
export function BatchesTable({ batches }: { batches: JobBatch[] }) {
  return (
    <section class="card" aria-labelledby="batches-title">
      <h3 id="batches-title">Sub-batches</h3>
      {batches.length === 0 ? (
        <p class="muted">None submitted yet.</p>
      ) : (
        <TableScroll label="Sub-batches">
          <table>
            <thead>
              <tr>
                <th scope="col">Key</th>
                <th scope="col">Anthropic id</th>
                <th scope="col">State</th>
                <th scope="col" class="num">
                  Requests
                </th>
                <th scope="col" class="num">
                  Attempt
                </th>
                <th scope="col">Submitted</th>
                <th scope="col">Ended</th>
              </tr>
            </thead>
            <tbody>
              {batches.map((b) => (
                <tr key={b.batchKey}>
                  <td class="mono">{b.batchKey}</td>
                  <td class="mono">{b.batchId ?? '–'}</td>
                  <td>{b.status}</td>
                  <td class="num">{formatCount(b.requestCount)}</td>
                  <td class="num">{b.attempt}</td>
                  <td>{b.submittedAt ? formatTime(b.submittedAt) : '–'}</td>
                  <td>{b.endedAt ? formatTime(b.endedAt) : '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </section>
  );
}
