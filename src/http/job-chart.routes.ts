import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { NotFoundError } from '../domain/errors.js';
import { assertAsOfInRange } from '../machines/job-as-of.js';
import { chartJob, chartToMermaid } from '../machines/job-chart.js';
import { drawJobChart } from '../machines/job-chart.svg.js';
import { chartToXStateConfig } from '../machines/job-chart.xstate.js';
import { toJobEvent } from '../machines/job-store.js';
import type { BatchJobManager } from '../manager/batch-job-manager.js';
import type { AppEnv } from './app-env.js';
import { createRouter } from './create-router.js';
import { unauthorizedResponse } from './error.schema.js';
import { AsOfQuerySchema, asOfOutOfRangeResponse } from './job-as-of.schemas.js';
import { JOB_ID_EXAMPLE } from './jobs.examples.js';
import { JOBS_TAG, JobIdParams, jobNotFoundResponse } from './jobs.schemas.js';

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

/** The chart's formats: `chart` (this JSON, the default), `json` (an XState config), `svg`, `mermaid`. */
export const CHART_FORMATS = ['chart', 'json', 'svg', 'mermaid'] as const;
export type ChartFormat = (typeof CHART_FORMATS)[number];

const ChartQuerySchema = AsOfQuerySchema.extend({
  format: z
    .enum(CHART_FORMATS)
    .optional()
    .openapi({
      param: { name: 'format', in: 'query' },
      description:
        '`chart` (default; `Accept: image/svg+xml` makes it `svg`): the definition, the current ' +
        'state and the path as JSON; `json`: the machine as an XState config; `svg`: drawn, the ' +
        'current state and the transitions taken marked; `mermaid`: a Mermaid state diagram',
      example: 'svg',
    }),
});

const XStateConfigSchema = z
  .object({ id: z.string(), initial: z.string(), states: z.record(z.string(), z.unknown()) })
  .passthrough()
  .openapi('XStateMachineConfig', {
    description:
      'the job machine as an XState config (guards by name, no actions): createMachine(config)',
  });

/** The start of a drawing (the real one holds every state and transition of the machine). */
const JOB_CHART_SVG_EXAMPLE = `<svg xmlns="http://www.w3.org/2000/svg" class="job-chart" viewBox="0 0 3137 1806" width="3137" height="1806" role="img" aria-labelledby="job-chart-title">
<title id="job-chart-title">The job machine: job ${JOB_ID_EXAMPLE} is in completed</title>
<g class="state atomic visited current" data-state="completed">...</g>
<g class="edge taken" data-from="processing.waiting" data-to="completed" data-event="JobCompleted" data-count="1">...</g>
</svg>`;

const JOB_CHART_MERMAID_EXAMPLE = `stateDiagram-v2
  [*] --> new
  state "new" as new
  new --> pending : JobCreated
  class completed current`;

const chartRoute = createRoute({
  method: 'get',
  path: '/v1/jobs/{id}/chart',
  operationId: 'getJobChart',
  tags: [JOBS_TAG],
  summary: "The job machine's definition, the job's current state and the transitions it took",
  description:
    '`asOf=VERSION` charts the job as it was right after that event; `format` picks JSON, an ' +
    'XState config, an SVG drawing (laid out by ELK) or Mermaid text.',
  request: { params: JobIdParams, query: ChartQuerySchema },
  responses: {
    200: {
      description: 'the chart, computed by replaying the job log',
      content: {
        'application/json': {
          schema: z.union([JobChartSchema, XStateConfigSchema]),
          example: JOB_CHART_EXAMPLE,
        },
        'image/svg+xml': {
          schema: z.string().openapi({ description: 'an SVG document' }),
          example: JOB_CHART_SVG_EXAMPLE,
        },
        'text/plain': {
          schema: z.string().openapi({ description: 'a Mermaid stateDiagram-v2' }),
          example: JOB_CHART_MERMAID_EXAMPLE,
        },
      },
    },
    400: asOfOutOfRangeResponse,
    401: unauthorizedResponse,
    404: jobNotFoundResponse,
  },
});

/** `GET /v1/jobs/{id}/chart`: the machine and the job's path through it, replayed from its log. */
export function jobChartRoutes(deps: JobChartRoutesDeps): OpenAPIHono<AppEnv> {
  return createRouter().openapi(chartRoute, async (c) => {
    const { id } = c.req.valid('param');
    const { asOf, format: asked } = c.req.valid('query');
    const events = await deps.manager.forTenant(c.var.tenant).readEvents(id);
    if (!events) throw new NotFoundError(`job ${id} not found`);
    if (asOf !== undefined) assertAsOfInRange(asOf, events.length);
    const chart = chartJob(
      events.slice(0, asOf ?? events.length).map((event) => ({
        version: event.version,
        event: toJobEvent(event),
        recordedAt: event.recordedAt.toISOString(),
      })),
    );
    const format = asked ?? (prefersSvg(c.req.header('accept')) ? 'svg' : 'chart');
    c.header('vary', 'accept');
    switch (format) {
      case 'chart':
        return c.json({ jobId: id, ...chart }, 200);
      case 'json':
        return c.json(chartToXStateConfig(chart.machine), 200);
      case 'svg':
        return c.body(await drawJobChart(chart, id), 200, {
          'content-type': 'image/svg+xml; charset=utf-8',
          'x-content-type-options': 'nosniff',
          // Opened on its own, the drawing runs nothing and loads nothing.
          'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
        });
      case 'mermaid':
        return c.text(chartToMermaid(chart), 200, { 'content-type': 'text/plain; charset=utf-8' });
      default: {
        const unknown: never = format;
        throw new Error(`unknown chart format ${String(unknown)}`);
      }
    }
  });
}

/** Whether an Accept header asks for SVG before JSON. */
function prefersSvg(accept: string | undefined): boolean {
  if (!accept) return false;
  const svg = accept.indexOf('image/svg+xml');
  if (svg === -1) return false;
  const json = accept.indexOf('application/json');
  return json === -1 || svg < json;
}
