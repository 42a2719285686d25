import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { type SSEStreamingApi, streamSSE } from 'hono/streaming';
import { NotFoundError } from '../domain/errors.js';
import { isTerminalStatus, type JobStatus } from '../domain/job-status.js';
import type { JobProgress } from '../domain/progress.js';
import { type JobView, rowToJobView } from '../machines/job-views.js';
import type { BatchJobManager } from '../manager/batch-job-manager.js';
import { JobWatcher } from '../store/jobs/job-watcher.js';
import type { JobRow } from '../store/schema/index.js';
import type { AppEnv } from './app-env.js';
import { createRouter } from './create-router.js';
import { unauthorizedResponse } from './error.schema.js';
import { JOB_ID_EXAMPLE } from './jobs.examples.js';
import { JOBS_TAG, JobIdParams, jobNotFoundResponse } from './jobs.schemas.js';

export interface JobStreamRoutesDeps {
  manager: BatchJobManager;
  /** How often the followed jobs are read for changes, all in one query, in ms (default: 250). */
  pollIntervalMs?: number | undefined;
  /** The longest silence before a heartbeat comment, in ms (default: 15000). */
  heartbeatMs?: number | undefined;
}

/** What a `status` or `progress` event carries. */
interface JobStreamData {
  id: string;
  status: JobStatus;
  step: string | null;
  progress: JobProgress;
  updatedAt: string;
}

/** The `error` event's data when following the job failed (a client should reconnect). */
const STREAM_FAILED = { type: 'api_error', message: 'the event stream failed; reconnect' };

/** An `event:` block of the stream. */
function sseBlock(event: string, data: Record<string, unknown>): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

const progressOf = (pending: number, processing: number, completed: number) => ({
  total: 2,
  pending,
  processing,
  completed,
  failed: 0,
  cancelled: 0,
  expired: 0,
  percentComplete: completed * 50,
});

const SSE_EXAMPLE = [
  sseBlock('status', {
    id: JOB_ID_EXAMPLE,
    status: 'queued',
    step: null,
    progress: progressOf(2, 0, 0),
    updatedAt: '2026-03-14T09:26:53.589Z',
    previousStatus: null,
  }),
  sseBlock('status', {
    id: JOB_ID_EXAMPLE,
    status: 'processing',
    step: 'waiting',
    progress: progressOf(0, 2, 0),
    updatedAt: '2026-03-14T09:26:54.402Z',
    previousStatus: 'queued',
  }),
  ': heartbeat\n\n',
  sseBlock('status', {
    id: JOB_ID_EXAMPLE,
    status: 'completed',
    step: null,
    progress: progressOf(0, 0, 2),
    updatedAt: '2026-03-14T09:41:07.212Z',
    previousStatus: 'processing',
  }),
].join('');

const streamRoute = createRoute({
  method: 'get',
  path: '/v1/jobs/{id}/stream',
  operationId: 'streamJob',
  tags: [JOBS_TAG],
  summary: "Server-Sent Events: a job's status changes and progress, live",
  description:
    'First a `status` event with the job as it is (`previousStatus: null`), then a `status` ' +
    'event at each status change (with `previousStatus`) and a `progress` event when counts or ' +
    'the step change. The stream ends after a terminal status, with a `deleted` event, or with ' +
    'an `error` event (reconnect: a new stream starts with the job as it is). ' +
    'Comment lines (`: heartbeat`) keep an idle connection open. Works across instances: the ' +
    'job is read from the database (one query a round for every stream the instance serves).',
  request: { params: JobIdParams },
  responses: {
    200: {
      description: 'an event stream',
      content: { 'text/event-stream': { schema: z.string(), example: SSE_EXAMPLE } },
    },
    401: unauthorizedResponse,
    404: jobNotFoundResponse,
  },
});

/** `GET /v1/jobs/{id}/stream`: follows the job and tells the client what changed. */
export function jobStreamRoutes(deps: JobStreamRoutesDeps): OpenAPIHono<AppEnv> {
  const heartbeatMs = deps.heartbeatMs ?? 15_000;
  const watcher = new JobWatcher({
    database: async () => (await deps.manager.runtime()).database.db,
    intervalMs: deps.pollIntervalMs ?? 250,
  });
  return createRouter().openapi(streamRoute, async (c) => {
    const { id } = c.req.valid('param');
    const first = await deps.manager.forTenant(c.var.tenant).getJob(id);
    if (!first) throw new NotFoundError(`job ${id} not found`);
    return streamSSE(c, async (sse) => {
      const following = new AbortController();
      sse.onAbort(() => following.abort());
      const request = c.req.raw.signal;
      if (request.aborted) following.abort();
      else request.addEventListener('abort', () => following.abort(), { once: true });
      try {
        const changes = watcher.watch(c.var.tenant, id, following.signal);
        await followJob(sse, first, changes, heartbeatMs);
      } catch (error) {
        // Not hono's default, which would send the error's own message to the client.
        c.var.logger.error({ err: error, jobId: id }, 'job event stream failed');
        await sse.writeSSE({ event: 'error', data: JSON.stringify(STREAM_FAILED) });
      } finally {
        following.abort();
      }
    });
  });
}

const HEARTBEAT = Symbol('heartbeat');

/** Sends the job's status, then what changes, until it ends, is deleted, or the client leaves. */
async function followJob(
  sse: SSEStreamingApi,
  first: JobView,
  changes: AsyncIterable<JobRow | null>,
  heartbeatMs: number,
): Promise<void> {
  let last = dataOf(first);
  await sendStatus(sse, last, null);
  const iterator = changes[Symbol.asyncIterator]();
  let next = iterator.next();
  while (!isTerminalStatus(last.status)) {
    let timer: NodeJS.Timeout | undefined;
    const silence = new Promise<typeof HEARTBEAT>((resolve) => {
      timer = setTimeout(() => resolve(HEARTBEAT), heartbeatMs);
    });
    const outcome = await Promise.race([next, silence]);
    clearTimeout(timer);
    if (outcome === HEARTBEAT) {
      await sse.write(': heartbeat\n\n');
      continue;
    }
    if (outcome.done) return; // the client left
    next = iterator.next();
    if (outcome.value === null) {
      await sse.writeSSE({ event: 'deleted', data: JSON.stringify({ id: first.id }) });
      return;
    }
    const current = dataOf(rowToJobView(outcome.value));
    if (current.status !== last.status) await sendStatus(sse, current, last.status);
    else if (progressKey(current) !== progressKey(last)) {
      await sse.writeSSE({ event: 'progress', data: JSON.stringify(current) });
    } else continue;
    last = current;
  }
}

function dataOf(job: JobView): JobStreamData {
  return {
    id: job.id,
    status: job.status,
    step: job.step,
    progress: job.progress,
    updatedAt: job.updatedAt,
  };
}

function progressKey(data: JobStreamData): string {
  return JSON.stringify([data.step, data.progress]);
}

function sendStatus(
  sse: SSEStreamingApi,
  data: JobStreamData,
  previousStatus: JobStatus | null,
): Promise<void> {
  return sse.writeSSE({ event: 'status', data: JSON.stringify({ ...data, previousStatus }) });
}
