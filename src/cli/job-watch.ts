import { setTimeout as sleep } from 'node:timers/promises';
import { Presets, SingleBar } from 'cli-progress';
import type { JobProgress } from '../domain/progress.js';
import { type ApiClient, ApiError, EXIT } from './api-client.js';
import { formatCounts } from './cli-output.js';
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
  usage: { inputTokens: number; outputTokens: number; costUsd: number };
  batches: { batchId: string | null; status: string; requestCount: number }[];
  errors: { customId: string; type: string | null; message: string | null }[];
}

const TERMINAL = new Set(['completed', 'failed', 'cancelled', 'expired']);
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

/**
 * Follows a job to its end with a progress bar on stderr (drawn only on a terminal), then answers
 * the job as GET /v1/jobs/{id} shows it.
 */
export async function watchJob(
  client: ApiClient,
  id: string,
  options: { bar: boolean },
): Promise<WireJob> {
  const bar = options.bar
    ? new SingleBar(
        {
          format: ' {bar} {percentage}% | {value}/{total} requests | {state}',
          hideCursor: true,
          stream: process.stderr,
        },
        Presets.shades_classic,
      )
    : undefined;
  let started = false;
  try {
    await followJob(client, id, (update) => {
      const done = finished(update.progress);
      const state = update.step ? `${update.status} (${update.step})` : update.status;
      if (!started) bar?.start(update.progress.total, done, { state });
      else {
        bar?.setTotal(update.progress.total);
        bar?.update(done, { state });
      }
      started = true;
    });
  } finally {
    bar?.stop();
  }
  return client.json<WireJob>('GET', `/v1/jobs/${encodeURIComponent(id)}`);
}

/** `job_... completed in 3.2 s: 2 completed (100%)`. */
export function summaryLine(job: WireJob): string {
  const took =
    job.completedAt && job.startedAt
      ? ` in ${((Date.parse(job.completedAt) - Date.parse(job.startedAt)) / 1000).toFixed(1)} s`
      : '';
  const { completed, failed, cancelled, expired } = job.progress;
  const why = job.failureReason ? ` (${job.failureReason})` : '';
  return `${job.id} ${job.status}${took}${why}: ${formatCounts({ completed, failed, cancelled, expired })} (${job.progress.percentComplete}%)`;
}

/** A watched job's exit code: 0 when it completed, 1 when it failed, was cancelled or expired. */
export function exitCodeOf(job: { status: string }): number {
  return job.status === 'completed' ? EXIT.ok : EXIT.failure;
}

function finished(progress: WireProgress): number {
  return progress.completed + progress.failed + progress.cancelled + progress.expired;
}
