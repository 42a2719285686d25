import { call, query } from './api-client.js';

export const RESULT_TYPES = ['succeeded', 'errored', 'canceled', 'expired'] as const;

function resultsPath(jobId: string, type: string): string {
  return `/v1/jobs/${encodeURIComponent(jobId)}/results${query({ type, partial: 'true' })}`;
}

/** The first `limit` lines of the job's results (of one type, or all), read and then let go. */
export async function readResultLines(
  jobId: string,
  type: string,
  limit: number,
  signal: AbortSignal,
): Promise<string[]> {
  const response = await call(resultsPath(jobId, type), { accept: 'application/x-ndjson', signal });
  if (!response.body) return [];
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  const lines: string[] = [];
  let rest = '';
  try {
    while (lines.length < limit) {
      const { value, done } = await reader.read();
      if (done) break;
      const parts = (rest + value).split('\n');
      rest = parts.pop() ?? '';
      lines.push(...parts.filter((line) => line.trim() !== ''));
    }
    if (rest.trim() !== '' && lines.length < limit) lines.push(rest);
  } finally {
    await reader.cancel().catch(() => {});
  }
  return lines.slice(0, limit);
}

/** Downloads the results as a file (read with the key, so not a plain link). */
export async function downloadResults(jobId: string, type: string): Promise<void> {
  const response = await call(resultsPath(jobId, type), { accept: 'application/x-ndjson' });
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = `${jobId}${type ? `-${type}` : ''}.jsonl`;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
