import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { NotFoundError } from '../domain/errors.js';
import type { JobEvent } from '../domain/job.events.js';
import { chartJob } from '../machines/job-chart.js';
import type { BatchJobManager } from '../manager/batch-job-manager.js';
import type { AppEnv } from './app-env.js';
import { createRouter } from './create-router.js';
import { unauthorizedResponse } from './error.schema.js';
import { JOB_ID_EXAMPLE } from './jobs.examples.js';
import { JOBS_TAG, JobIdParams, jobNotFoundResponse } from './jobs.schemas.js';
import { jsonContent } from './openapi-content.js';

export interface JobChartRoutesDeps {
  manager: BatchJobManager;
}

const StateId = z
  .string()
  .openapi({ description: 'a dotted state path', example: 'processing.waiting' });

const JobChartSchema = z
  .object({
    jobId: z.string(),
    machine: z.object({
      id: z.string(),
      initial: StateId,
      states: z.array(
        z.object({
          id: StateId,
          type: z.enum(['atomic', 'compound', 'parallel', 'final', 'history']),
          parent: StateId.nullable(),
          initial: StateId.nullable(),
        }),
      ),
      transitions: z.array(
        z.object({
          from: StateId,
          event: z.string(),
          to: StateId.nullable().openapi({ description: 'null: the state stays, the job updates' }),
          guard: z.string().nullable(),
        }),
      ),
    }),
    current: z.object({
      state: StateId,
      step: z.string().nullable(),
    }),
    transitions: z
      .array(
        z.object({
          version: z.number().int(),
          event: z.string(),
          from: StateId,
          to: StateId,
          recordedAt: z.string().openapi({ format: 'date-time' }),
        }),
      )
      .openapi({ description: "each event of the job's log, from-state -> to-state" }),
  })
  .openapi('JobChart');

const atomic = (id: string, parent: string | null = null) => ({
  id,
  type: 'atomic' as const,
  parent,
  initial: null,
});

/** A shortened chart (the real machine has more states and transitions) of a completed job. */
const JOB_CHART_EXAMPLE: z.input<typeof JobChartSchema> = {
  jobId: JOB_ID_EXAMPLE,
  machine: {
    id: 'job',
    initial: 'new',
    states: [
      atomic('new'),
      atomic('queued'),
      { id: 'processing', type: 'compound', parent: null, initial: 'processing.submitting' },
      atomic('processing.submitting', 'processing'),
      atomic('processing.waiting', 'processing'),
      atomic('completed'),
    ],
    transitions: [
      { from: 'new', event: 'JobCreated', to: 'pending', guard: null },
      { from: 'queued', event: 'JobStarted', to: 'processing', guard: null },
      { from: 'processing', event: 'ProgressRecorded', to: null, guard: null },
      {
        from: 'processing.submitting',
        event: 'BatchSubmitted',
        to: 'processing.waiting',
        guard: null,
      },
      {
        from: 'processing.waiting',
        event: 'JobCompleted',
        to: 'completed',
        guard: 'nothingInFlight',
      },
    ],
  },
  current: { state: 'completed', step: null },
  transitions: [
    {
      version: 1,
      event: 'JobCreated',
      from: 'new',
      to: 'pending',
      recordedAt: '2026-03-14T09:26:53.601Z',
    },
    {
      version: 2,
      event: 'JobQueued',
      from: 'pending',
      to: 'queued',
      recordedAt: '2026-03-14T09:26:53.601Z',
    },
    {
      version: 3,
      event: 'JobStarted',
      from: 'queued',
      to: 'processing.submitting',
      recordedAt: '2026-03-14T09:26:54.040Z',
    },
    {
      version: 8,
      event: 'JobCompleted',
      from: 'processing.waiting',
      to: 'completed',
      recordedAt: '2026-03-14T09:41:07.212Z',
    },
  ],
};

const chartRoute = createRoute({
  method: 'get',
  path: '/v1/jobs/{id}/chart',
  operationId: 'getJobChart',
  tags: [JOBS_TAG],
  summary: "The job machine's definition, the job's current state and the transitions it took",
  request: { params: JobIdParams },
  responses: {
    200: jsonContent(
      JobChartSchema,
      'the chart, computed by replaying the job log',
      JOB_CHART_EXAMPLE,
    ),
    401: unauthorizedResponse,
    404: jobNotFoundResponse,
  },
});

/** `GET /v1/jobs/{id}/chart`: the machine and the job's path through it, replayed from its log. */
export function jobChartRoutes(deps: JobChartRoutesDeps): OpenAPIHono<AppEnv> {
  return createRouter().openapi(chartRoute, async (c) => {
    const { id } = c.req.valid('param');
    const events = await deps.manager.forTenant(c.var.tenant).readEvents(id);
    if (!events) throw new NotFoundError(`job ${id} not found`);
    const chart = chartJob(
      events.map((event) => ({
        version: event.version,
        event: { type: event.type, data: event.data } as JobEvent,
        recordedAt: event.recordedAt.toISOString(),
      })),
    );
    return c.json({ jobId: id, ...chart }, 200);
  });
}
