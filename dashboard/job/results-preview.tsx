import { useState } from 'preact/hooks';
import { describeError } from '../api/api-error.js';
import { downloadResults, RESULT_TYPES, readResultLines } from '../api/results.js';
import { shortJson } from '../format.js';
import { ErrorLine } from '../ui/error-line.js';
import { usePolled } from '../ui/use-polled.js';

const PREVIEW_LINES = 20;

interface ResultLine {
  customId: string;
  type: string;
  text: string;
}

/** What a line says: its request, its type, and the model's text or the error's message. */
function readLine(line: string): ResultLine {
  try {
    const parsed = JSON.parse(line) as {
      custom_id?: string;
      result?: {
        type?: string;
        message?: { content?: { type?: string; text?: string }[] };
        error?: unknown;
      };
    };
    const result = parsed.result ?? {};
    const text =
      result.message?.content
        ?.filter((block) => block.type === 'text')
        .map((block) => block.text ?? '')
        .join(' ') ?? shortJson(result.error ?? '', 200);
    return { customId: parsed.custom_id ?? '?', type: result.type ?? '?', text };
  } catch {
    return { customId: '?', type: 'unreadable', text: line.slice(0, 200) };
  }
}

/** The first lines of the job's results, filtered by type, and a download of them all. */
export function ResultsPreview({ jobId, version }: { jobId: string; version: string }) {
  const [type, setType] = useState('');
  const [downloadError, setDownloadError] = useState<string | null>(null);
  const lines = usePolled(
    (signal) => readResultLines(jobId, type, PREVIEW_LINES, signal),
    `${jobId}|${type}|${version}`,
    0,
  );
  return (
    <section class="card" aria-labelledby="results-title">
      <div class="section-head">
        <h3 id="results-title">Results</h3>
        <div class="inline-controls">
          <label>
            <span class="visually-hidden">Result type</span>
            <select value={type} onChange={(event) => setType(event.currentTarget.value)}>
              <option value="">all types</option>
              {RESULT_TYPES.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
          </label>
          <button
            type="button"
            onClick={() => {
              setDownloadError(null);
              downloadResults(jobId, type).catch((error: unknown) =>
                setDownloadError(describeError(error)),
              );
            }}
          >
            Download JSONL
          </button>
        </div>
      </div>
      <ErrorLine message={lines.error ?? downloadError} />
      {lines.data && lines.data.length === 0 ? (
        <p class="muted">{type ? `No ${type} results.` : 'No results yet.'}</p>
      ) : null}
      {lines.data && lines.data.length > 0 ? (
        <>
          <p class="muted">First {lines.data.length} lines.</p>
          <ol class="results">
            {lines.data.map(readLine).map((line, index) => (
              <li key={`${index}-${line.customId}`}>
                <span class="mono">{line.customId}</span>
                <span class={`result-type result-${line.type}`}>{line.type}</span>
                <span class="result-text">{line.text}</span>
              </li>
            ))}
          </ol>
        </>
      ) : null}
    </section>
  );
}
