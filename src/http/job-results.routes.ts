import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { NotFoundError } from '../domain/errors.js';
import type { BatchJobManager } from '../manager/batch-job-manager.js';
import type { JobResultLine } from '../store/jobs/request-results.js';
import type { AppEnv } from './app-env.js';
import { createRouter } from './create-router.js';
import { errorResponse } from './error.schema.js';
import { JOBS_TAG, JobIdParams } from './jobs.schemas.js';
import { ndjsonStream } from './ndjson-response.js';

export interface JobResultsRoutesDeps {
  manager: BatchJobManager;
}

const RESULT_TYPES = ['succeeded', 'errored', 'canceled', 'expired'] as const;

const RESULT_LINE_EXAMPLE =
  '{"custom_id":"q1","result":{"type":"succeeded","message":{"id":"msg_...","content":[...]}}}';

/**
 * Typed as a plain record on purpose: with literal keys zod-openapi would read `application/jsonl`
 * as JSON and demand `c.json()`, when the handler streams a body.
 */
const RESULTS_CONTENT: Record<string, { schema: z.ZodType }> = {
  'application/x-ndjson': { schema: z.string().openapi({ example: RESULT_LINE_EXAMPLE }) },
  'application/jsonl': { schema: z.string().openapi({ example: RESULT_LINE_EXAMPLE }) },
};

const resultsRoute = createRoute({
  method: 'get',
  path: '/v1/jobs/{id}/results',
  tags: [JOBS_TAG],
  summary: "A job's final results as JSONL, in request order",
  description:
    "One line per request that has its final outcome, in Anthropic's result shape " +
    '`{custom_id, result}`, plus `_deduplicated: true` and `_originalJobId` for a request that ' +
    "took an earlier identical request's outcome. Streamed page by page. `Accept: " +
    'application/jsonl` gets that media type; the default is `application/x-ndjson`.',
  request: {
    params: JobIdParams,
    query: z.strictObject({
      type: z
        .enum(RESULT_TYPES, { error: `type must be one of ${RESULT_TYPES.join(', ')}` })
        .optional()
        .openapi({ description: 'only results of this type' }),
    }),
  },
  responses: {
    200: {
      description: 'one JSON result a line',
      content: RESULTS_CONTENT,
    },
    400: errorResponse('invalid type'),
    404: errorResponse('no such job for this tenant'),
  },
});

/** `GET /v1/jobs/{id}/results`: the results streamed as the client reads them, never held whole. */
export function jobResultsRoutes(deps: JobResultsRoutesDeps): OpenAPIHono<AppEnv> {
  return createRouter().openapi(resultsRoute, async (c) => {
    const { id } = c.req.valid('param');
    const { type } = c.req.valid('query');
    const jobs = deps.manager.forTenant(c.var.tenant);
    // Results are read by job id alone: the tenant check comes first.
    if (!(await jobs.getJob(id))) throw new NotFoundError(`job ${id} not found`);
    const lines = withoutOrdinals(jobs.iterateResults(id, { type }));
    const body = ndjsonStream(lines, {
      onError: (error) => c.var.logger.error({ err: error, jobId: id }, 'results stream failed'),
    });
    return c.body(body, 200, {
      'content-type': mediaTypeFor(c.req.header('accept')),
      'cache-control': 'no-store',
    });
  });
}

function mediaTypeFor(accept: string | undefined): string {
  return accept?.toLowerCase().includes('application/jsonl')
    ? 'application/jsonl'
    : 'application/x-ndjson';
}

/** The wire lines: the stored ordinal is how pages are read, not part of Anthropic's shape. */
async function* withoutOrdinals(lines: AsyncIterable<JobResultLine>) {
  for await (const { ordinal: _ordinal, ...line } of lines) yield line;
}
