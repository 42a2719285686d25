import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { type SSEStreamingApi, streamSSE } from 'hono/streaming';
import { NotFoundError } from '../domain/errors.js';
import { isTerminalStatus, type JobStatus } from '../domain/job-status.js';
import type { JobProgress } from '../domain/progress.js';
import type { BatchJobManager, JobDetails, TenantJobs } from '../manager/batch-job-manager.js';
import type { AppEnv } from './app-env.js';
import { createRouter } from './create-router.js';
import { errorResponse } from './error.schema.js';
import { JOBS_TAG, JobIdParams } from './jobs.schemas.js';

export interface JobStreamRoutesDeps {
  manager: BatchJobManager;
  /** How often the job is read for changes, in ms (default: 250). */
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

const SSE_EXAMPLE =
  'event: status\ndata: {"id":"job_...","status":"queued","previousStatus":null,"step":null,' +
  '"progress":{"total":2,"pending":2,...},"updatedAt":"..."}\n\n' +
  'event: progress\ndata: {"id":"job_...","status":"processing","step":"waiting",...}\n\n';

const streamRoute = createRoute({
  method: 'get',
  path: '/v1/jobs/{id}/stream',
  tags: [JOBS_TAG],
  summary: "Server-Sent Events: a job's status changes and progress, live",
  description:
    'First a `status` event with the job as it is (`previousStatus: null`), then a `status` ' +
    'event at each status change (with `previousStatus`) and a `progress` event when counts or ' +
    'the step change. The stream ends after a terminal status, with a `deleted` event, or with ' +
    'an `error` event (reconnect: a new stream starts with the job as it is). ' +
    'Comment lines (`: heartbeat`) keep an idle connection open. Works across instances: the ' +
    'job is read from the database.',
  request: { params: JobIdParams },
  responses: {
    200: {
      description: 'an event stream',
      content: { 'text/event-stream': { schema: z.string().openapi({ example: SSE_EXAMPLE }) } },
    },
    404: errorResponse('no such job for this tenant'),
  },
});

/** `GET /v1/jobs/{id}/stream`: follows the job by polling it and tells the client what changed. */
export function jobStreamRoutes(deps: JobStreamRoutesDeps): OpenAPIHono<AppEnv> {
  const timing = {
    pollIntervalMs: deps.pollIntervalMs ?? 250,
    heartbeatMs: deps.heartbeatMs ?? 15_000,
  };
  return createRouter().openapi(streamRoute, async (c) => {
    const { id } = c.req.valid('param');
    const jobs = deps.manager.forTenant(c.var.tenant);
    const first = await jobs.getJob(id);
    if (!first) throw new NotFoundError(`job ${id} not found`);
    return streamSSE(c, async (sse) => {
      try {
        await followJob(sse, jobs, first, timing, c.req.raw.signal);
      } catch (error) {
        // Not hono's default, which would send the error's own message to the client.
        c.var.logger.error({ err: error, jobId: id }, 'job event stream failed');
        await sse.writeSSE({ event: 'error', data: JSON.stringify(STREAM_FAILED) });
      }
    });
  });
}

/** Sends the job's status, then what changes, until it ends, is deleted, or the client leaves. */
async function followJob(
  sse: SSEStreamingApi,
  jobs: TenantJobs,
  first: JobDetails,
  timing: { pollIntervalMs: number; heartbeatMs: number },
  clientGone: AbortSignal,
): Promise<void> {
  let last = dataOf(first);
  await sendStatus(sse, last, null);
  let silentSince = Date.now();
  while (!isTerminalStatus(last.status) && !sse.aborted && !clientGone.aborted) {
    await sse.sleep(timing.pollIntervalMs);
    const job = await jobs.getJob(first.id);
    if (!job) {
      await sse.writeSSE({ event: 'deleted', data: JSON.stringify({ id: first.id }) });
      return;
    }
    const next = dataOf(job);
    if (next.status !== last.status) await sendStatus(sse, next, last.status);
    else if (progressKey(next) !== progressKey(last)) {
      await sse.writeSSE({ event: 'progress', data: JSON.stringify(next) });
    } else if (Date.now() - silentSince >= timing.heartbeatMs) await sse.write(': heartbeat\n\n');
    else continue;
    silentSince = Date.now();
    last = next;
  }
}

function dataOf(job: JobDetails): JobStreamData {
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
