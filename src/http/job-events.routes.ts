import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { packageVersion } from '../cli/package-version.js';
import { NotFoundError } from '../domain/errors.js';
import type { BatchJobManager } from '../manager/batch-job-manager.js';
import type { AppEnv } from './app-env.js';
import { createRouter } from './create-router.js';
import { unauthorizedResponse } from './error.schema.js';
import { JOB_EVENT_LOG_EXAMPLE } from './jobs.examples.js';
import { JOBS_TAG, JobEventLogSchema, JobIdParams, jobNotFoundResponse } from './jobs.schemas.js';
import { textStream } from './ndjson-response.js';
import { jsonContent } from './openapi-content.js';

export interface JobEventsRoutesDeps {
  manager: BatchJobManager;
}

const EventsQuery = z.object({
  format: z
    .enum(['json', 'ndjson'])
    .default('json')
    .openapi({
      description:
        'ndjson: the self-contained export `batchkeeper audit verify --file` checks offline ' +
        '(a header with the version and chain head, the events with their hashes, the results)',
    }),
});

const EXPORT_EXAMPLE = [
  '{"kind":"batchkeeper.audit-export","format":1,"batchkeeperVersion":"0.1.0","jobId":"job_01J9Z8Q4","head":{"version":2,"hash":"9f2c…"},"events":2}',
  '{"kind":"event","streamId":"job_01J9Z8Q4","version":1,"type":"JobCreated","data":{},"metadata":{},"recordedAt":"2026-01-01T00:00:00.000Z","hash":"51ab…","previousHash":null}',
  '',
].join('\n');

const eventsRoute = createRoute({
  method: 'get',
  path: '/v1/jobs/{id}/events',
  operationId: 'listJobEvents',
  tags: [JOBS_TAG],
  summary: "A job's events in order: its audit log",
  description:
    "A deleted job's log stays readable: its last event is `JobDeleted`. With " +
    '`format=ndjson`, the export an auditor verifies with no database (docs/audit.md).',
  request: { params: JobIdParams, query: EventsQuery },
  responses: {
    200: {
      description: 'every event of the job, oldest first; with format=ndjson, the export',
      content: {
        ...jsonContent(JobEventLogSchema, '', JOB_EVENT_LOG_EXAMPLE).content,
        'application/x-ndjson': { schema: z.string(), example: EXPORT_EXAMPLE },
      },
    },
    401: unauthorizedResponse,
    404: jobNotFoundResponse,
  },
});

/** `GET /v1/jobs/{id}/events`: the job's stream as stored, or its export. */
export function jobEventsRoutes(deps: JobEventsRoutesDeps): OpenAPIHono<AppEnv> {
  return createRouter().openapi(eventsRoute, async (c) => {
    const { id } = c.req.valid('param');
    if (c.req.valid('query').format === 'ndjson') {
      const lines = deps.manager.forTenant(c.var.tenant).exportEvents(id, packageVersion());
      // The header is read first, so that a job that is not found is a 404, not a cut body.
      const header = await lines.next().catch((error: unknown) => {
        throw error instanceof NotFoundError ? new NotFoundError(`job ${id} not found`) : error;
      });
      if (header.done) throw new NotFoundError(`job ${id} not found`);
      const body = textStream(withNewlines(header.value, lines), {
        onError: (error) => c.var.logger.error({ err: error, jobId: id }, 'event export failed'),
      });
      return c.body(body, 200, { 'content-type': 'application/x-ndjson' }) as never;
    }
    const events = await deps.manager.forTenant(c.var.tenant).readEvents(id);
    if (!events) throw new NotFoundError(`job ${id} not found`);
    return c.json(
      {
        jobId: id,
        events: events.map((event) => ({
          position: event.position,
          version: event.version,
          type: event.type,
          data: event.data,
          metadata: event.metadata,
          recordedAt: event.recordedAt.toISOString(),
        })),
      },
      200,
    );
  });
}

async function* withNewlines(first: string, rest: AsyncIterable<string>): AsyncGenerator<string> {
  yield `${first}\n`;
  for await (const line of rest) yield `${line}\n`;
}
