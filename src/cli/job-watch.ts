import { setTimeout as sleep } from 'node:timers/promises';
import { Presets, SingleBar } from 'cli-progress';
import type { CostSplit } from '../domain/job-cost.js';
import { TERMINAL_STATUSES } from '../domain/job-status.js';
import type { JobProgress } from '../domain/progress.js';
import { type ApiClient, ApiError, EXIT } from './api-client.js';
import { formatCounts } from './cli-output.js';
import { JobPace, paceText } from './job-pace.js';
import { readServerSentEvents } from './sse-events.js';

/** A job's progress as the API shows it. */
export type WireProgress = JobProgress;

/** What the event stream says about a job at each change. */
export interface JobUpdate {
  id: string;
  status: string;
  step: string | null;
  progress: WireProgress;
}

/** The fields of GET /v1/jobs/{id} the CLI prints. */
export interface WireJob extends JobUpdate {
  priority: number;
  totalRequests: number;
  uniqueRequests: number;
  deduplicatedRequests: number;
  tags: string[];
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  failureReason: string | null;
  /** A cancel was asked for and waits on Anthropic cancelling the batches. */
  cancelRequested?: boolean;
  /** `costUsd`: null when a result's model has no price (unknown); `cost` its split (absent from older servers). */
  usage: {
    inputTokens: number;
    outputTokens: number;
    cacheWrite5mTokens?: number;
    cacheWrite1hTokens?: number;
    cacheReadTokens?: number;
    costUsd: number | null;
    cost?: CostSplit | null;
  };
  batches: { batchId: string | null; status: string; requestCount: number }[];
  errors: {
    customId: string;
    type: string | null;
    message: string | null;
    /** Whether this error is its request's final outcome (false: the request was sent again). */
    final: boolean;
  }[];
  finalErrorCount: number;
  retriedErrorCount: number;
}

const TERMINAL = new Set<string>(TERMINAL_STATUSES);
/** Dropped connections in a row before giving up. */
const MAX_RECONNECTS = 5;

/**
 * Follows a job's event stream (GET /v1/jobs/{id}/stream) until the job ends, calling `onUpdate`
 * at each event; a dropped connection is opened again (the stream starts with the job as it is).
 * Answers the last update; a job deleted meanwhile is a 404 ApiError.
 */
export async function followJob(
  client: ApiClient,
  id: string,
  onUpdate: (update: JobUpdate) => void,
): Promise<JobUpdate> {
  for (let drops = 0; ; ) {
    try {
      const response = await client.request('GET', `/v1/jobs/${encodeURIComponent(id)}/stream`, {
        headers: { accept: 'text/event-stream' },
      });
      for await (const message of readServerSentEvents(response.body!)) {
        if (message.event === 'deleted') {
          throw new ApiError(404, 'not_found_error', `job ${id} was deleted`);
        }
        // The server lost track (it is shutting down, or its database is): open the stream again.
        if (message.event === 'error') break;
        if (message.event !== 'status' && message.event !== 'progress') continue;
        const update = JSON.parse(message.data) as JobUpdate;
        drops = 0;
        onUpdate(update);
        if (TERMINAL.has(update.status)) return update;
      }
    } catch (error) {
      // A cut connection, or a server that is restarting, is tried again below; an answer is final.
      if (error instanceof ApiError && !isTransient(error)) throw error;
      if (drops >= MAX_RECONNECTS) throw error;
    }
    drops += 1;
    if (drops > MAX_RECONNECTS) {
      throw new ApiError(0, 'connection_error', `lost the event stream of job ${id}`);
    }
    await sleep(250 * 2 ** drops);
  }
}

/** No answer, or the server saying it cannot answer now (502, 503, 504). */
function isTransient(error: ApiError): boolean {
  return error.status === 0 || error.status === 502 || error.status === 503 || error.status === 504;
}

/** How often the progress line's times are drawn again between updates. */
const REDRAW_MS = 1_000;

/**
 * Follows a job to its end with a progress bar on stderr (drawn only on a terminal): done/total,
 * elapsed time and the ETA, paused time shown as such and left out of the ETA. Answers the job
 * as GET /v1/jobs/{id} shows it once it has ended.
 */
export async function watchJob(
  client: ApiClient,
  id: string,
  options: { bar: boolean },
): Promise<WireJob> {
  const path = `/v1/jobs/${encodeURIComponent(id)}`;
  const bar = options.bar && process.stderr.isTTY ? progressBar() : undefined;
  if (!bar) {
    await followJob(client, id, () => {});
    return client.json<WireJob>('GET', path);
  }
  // The job as it is: when it started (the elapsed time counts from there), and a 404 now.
  const job = await client.json<WireJob>('GET', path);
  const pace = new JobPace(job.startedAt ? Date.parse(job.startedAt) : Date.now());
  let last: JobUpdate = job;
  const draw = () => {
    const done = finished(last.progress);
    bar.update(done, {
      state: stateOf(last),
      pace: paceText(pace.view(Date.now(), done, last.progress.total)),
    });
  };
  pace.observe(Date.now(), job.status, finished(job.progress));
  bar.start(job.progress.total, finished(job.progress), { state: stateOf(job), pace: '' });
  draw();
  const redraw = setInterval(draw, REDRAW_MS);
  try {
    await followJob(client, id, (update) => {
      last = update;
      pace.observe(Date.now(), update.status, finished(update.progress));
      bar.setTotal(update.progress.total);
      draw();
    });
  } finally {
    clearInterval(redraw);
    bar.stop();
  }
  return client.json<WireJob>('GET', path);
}

function progressBar(): SingleBar {
  return new SingleBar(
    {
      format: ' {bar} {value}/{total} requests | {percentage}% | {pace} | {state}',
      hideCursor: true,
      stream: process.stderr,
    },
    Presets.shades_classic,
  );
}

function stateOf(update: JobUpdate): string {
  return update.step ? `${update.status} (${update.step})` : update.status;
}

/** A completed job's requests that did not succeed, by how they ended (zeros left out). */
function unsuccessful(progress: WireProgress): { name: string; count: number }[] {
  return [
    { name: 'failed', count: progress.failed },
    { name: 'expired', count: progress.expired },
    { name: 'cancelled', count: progress.cancelled },
  ].filter(({ count }) => count > 0);
}

/**
 * `job_… completed in 3.2 s: 2 completed (100%)`; a completed job with requests that did not
 * succeed says so: `job_… completed in 9.1 s with 11 of 200 requests failed: 189 completed, 11 failed (100%)`.
 */
export function summaryLine(job: WireJob): string {
  const took =
    job.completedAt && job.startedAt
      ? ` in ${((Date.parse(job.completedAt) - Date.parse(job.startedAt)) / 1000).toFixed(1)} s`
      : '';
  const { completed, failed, cancelled, expired } = job.progress;
  const why = job.failureReason ? ` (${job.failureReason})` : '';
  const withFailures = failuresNote(job);
  return `${job.id} ${job.status}${took}${withFailures ? ` ${withFailures}` : ''}${why}: ${formatCounts({ completed, failed, cancelled, expired })} (${job.progress.percentComplete}%)`;
}

/**
 * For a completed job with requests that did not succeed: `with 11 of 200 requests failed` (and
 * `, 2 expired`...); empty otherwise.
 */
export function failuresNote(job: Pick<WireJob, 'status' | 'progress'>): string {
  const bad = job.status === 'completed' ? unsuccessful(job.progress) : [];
  if (bad.length === 0) return '';
  const parts = bad.map(({ name, count }, i) =>
    i === 0 ? `${count} of ${job.progress.total} requests ${name}` : `${count} ${name}`,
  );
  return `with ${parts.join(', ')}`;
}

/**
 * A watched job's exit code: 0 when it completed with every request succeeded, 5 when it completed
 * with some failed, expired or cancelled (0 with `allowFailures`), 1 when it failed, was cancelled
 * or expired.
 */
export function exitCodeOf(job: WireJob, options: { allowFailures?: boolean } = {}): number {
  if (job.status !== 'completed') return EXIT.failure;
  if (unsuccessful(job.progress).length > 0 && !options.allowFailures) {
    return EXIT.completedWithFailures;
  }
  return EXIT.ok;
}

/** What to do about a completed job's failed requests, for stderr; undefined when there are none. */
export function failuresHint(
  job: WireJob,
  options: { allowFailures?: boolean } = {},
): string | undefined {
  if (job.status !== 'completed') return undefined;
  const bad = unsuccessful(job.progress);
  if (bad.length === 0) return undefined;
  const see = bad
    .map(({ name }) => `batchkeeper results ${job.id} --type ${RESULT_TYPE_OF[name]}`)
    .join(', ');
  return options.allowFailures
    ? `see them with ${see}`
    : `see them with ${see}; exit 5 (--allow-failures accepts them: exit 0)`;
}

/** The result type a request that ended so carries. */
const RESULT_TYPE_OF: Record<string, string> = {
  failed: 'errored',
  expired: 'expired',
  cancelled: 'canceled',
};

function finished(progress: WireProgress): number {
  return progress.completed + progress.failed + progress.cancelled + progress.expired;
}
