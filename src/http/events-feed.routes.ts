import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import { ValidationError } from '../domain/errors.js';
import { readEventFeedEnd } from '../store/audit/event-feed-end.js';
import { readAll } from '../store/event-store.js';
import { LOG_START, type LogPosition, type RecordedEvent } from '../store/event-store.types.js';
import type { Db } from '../store/schema/index.js';
import { followLog } from '../store/subscription.js';
import type { AppEnv } from './app-env.js';
import { createRouter } from './create-router.js';
import { errorResponse, unauthorizedResponse } from './error.schema.js';
import { JOBS_TAG } from './jobs.schemas.js';
import { textStream } from './ndjson-response.js';

export interface EventsFeedRoutesDeps {
  db: Db | (() => Promise<Db>);
  /** How often a followed feed looks for new events, in ms (default: 200). */
  pollIntervalMs?: number | undefined;
  /** The longest silence before a heartbeat, in ms (default: 15000). */
  heartbeatMs?: number | undefined;
}

/** A feed cursor: opaque to clients, the (transaction, position) pair of the last event read. */
export function encodeCursor(position: LogPosition): string {
  return Buffer.from(`${position.transactionId}.${position.position}`).toString('base64url');
}

export function decodeCursor(cursor: string, field = 'after'): LogPosition {
  const match = /^(\d{1,19})\.(\d{1,19})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) {
    throw new ValidationError(`${field}: not a cursor this feed gave`, [
      { path: field, message: 'not a cursor this feed gave' },
    ]);
  }
  return { transactionId: Number(match[1]), position: Number(match[2]) };
}

const FeedEventSchema = z
  .object({
    cursor: z
      .string()
      .openapi({ description: 'resume after this event: `?after=` or `Last-Event-ID`' }),
    jobId: z.string(),
    version: z.number().int(),
    type: z.string().openapi({ example: 'JobQueued' }),
    data: z.unknown(),
    metadata: z.record(z.string(), z.unknown()),
    recordedAt: z.string(),
    hash: z
      .string()
      .nullable()
      .openapi({ description: "the event's link in its job's hash chain (hex)" }),
  })
  .openapi('FeedEvent');

const FeedPageSchema = z
  .object({
    events: z.array(FeedEventSchema),
    next: z.string().openapi({ description: 'the cursor to ask with next (`?after=`)' }),
  })
  .openapi('FeedPage');

const EVENT_EXAMPLE: z.input<typeof FeedEventSchema> = {
  cursor: encodeCursor({ transactionId: 1042, position: 7311 }),
  jobId: 'job_mx4n2k1f0c8a3b5d7e9f1a2b',
  version: 2,
  type: 'JobQueued',
  data: { at: '2026-03-14T09:26:53.589Z' },
  metadata: { tenant: 'acme', instanceId: 'web-1', schemaVersion: 2 },
  recordedAt: '2026-03-14T09:26:53.589Z',
  hash: '5e1b0c7a9f3d2e8b4a6c1f0d9e8b7a6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a',
};

const PAGE_EXAMPLE: z.input<typeof FeedPageSchema> = {
  events: [EVENT_EXAMPLE],
  next: EVENT_EXAMPLE.cursor,
};

const SSE_EXAMPLE = `id: ${EVENT_EXAMPLE.cursor}\nevent: event\ndata: ${JSON.stringify(EVENT_EXAMPLE)}\n\n: heartbeat\n\n`;

/** `?after=end`: start after the newest event the feed may show now, without reading the history. */
export const FEED_END = 'end';

const FeedQuery = z.object({
  after: z
    .string()
    .optional()
    .openapi({
      description:
        'a cursor from this feed, or `end`: after the newest event the feed may show now ' +
        '(without `follow`, an empty page whose `next` is that cursor). Default: the start',
      example: FEED_END,
    }),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  follow: z.enum(['true', 'false']).default('false').openapi({
    description: 'keep the response open and send events as they commit',
  }),
  format: z.enum(['sse', 'ndjson']).default('sse').openapi({
    description: 'with follow: Server-Sent Events (resume with `Last-Event-ID`) or NDJSON lines',
  }),
});

const feedRoute = createRoute({
  method: 'get',
  path: '/v1/events',
  operationId: 'listEvents',
  tags: [JOBS_TAG],
  summary: "The tenant's events across all its jobs, in commit order, to follow",
  description:
    'Commit-safe order: an event appears only once every transaction older than it has ended, ' +
    'so a reader that resumes from the last cursor it saw skips nothing and sees nothing twice. ' +
    'A long transaction anywhere on the database holds the feed back (docs/audit.md). ' +
    '`after=end` starts after the newest event that is safe to have passed now (an event of a ' +
    'transaction still running then comes later), in one indexed read: ask it without `follow` ' +
    'for the cursor alone, then follow from that cursor. ' +
    'With `follow=true` the response stays open: SSE (`id:` is the cursor; `: heartbeat` ' +
    'comments when idle) or NDJSON (one event a line; an empty line when idle).',
  request: { query: FeedQuery },
  responses: {
    200: {
      description: 'a page of events and the cursor after them; with follow, a stream of events',
      content: {
        'application/json': { schema: FeedPageSchema, example: PAGE_EXAMPLE },
        'text/event-stream': { schema: z.string(), example: SSE_EXAMPLE },
        'application/x-ndjson': {
          schema: z.string(),
          example: `${JSON.stringify(EVENT_EXAMPLE)}\n`,
        },
      },
    },
    400: errorResponse('a cursor this feed did not give, or a bad limit', {
      type: 'invalid_request_error',
      message: 'after: not a cursor this feed gave',
    }),
    401: unauthorizedResponse,
  },
});

/** `GET /v1/events`: the global feed for downstream systems, one tenant's events. */
export function eventsFeedRoutes(deps: EventsFeedRoutesDeps): OpenAPIHono<AppEnv> {
  const database = async () => (typeof deps.db === 'function' ? deps.db() : deps.db);
  const heartbeatMs = deps.heartbeatMs ?? 15_000;
  return createRouter().openapi(feedRoute, async (c) => {
    const query = c.req.valid('query');
    const lastEventId = c.req.header('last-event-id');
    const resumed = lastEventId !== undefined && lastEventId !== '';
    const fromEnd = !resumed && query.after === FEED_END;
    const db = await database();
    const after = resumed
      ? decodeCursor(lastEventId, 'Last-Event-ID')
      : fromEnd
        ? await readEventFeedEnd(db)
        : query.after !== undefined
          ? decodeCursor(query.after)
          : LOG_START;
    const tenant = c.var.tenant;
    if (query.follow === 'false') {
      if (fromEnd) return c.json({ events: [], next: encodeCursor(after) }, 200);
      const events = await readAll(db, after, query.limit, { tenant });
      const next = events.length > 0 ? positionOfLast(events) : after;
      return c.json({ events: events.map(toFeedEvent), next: encodeCursor(next) }, 200);
    }
    const following = new AbortController();
    c.req.raw.signal.addEventListener('abort', () => following.abort(), { once: true });
    const batches = followLog(db, {
      after,
      tenant,
      batchSize: query.limit,
      pollMs: deps.pollIntervalMs ?? 200,
      signal: following.signal,
    });
    if (query.format === 'ndjson') {
      const body = textStream(ndjsonLines(batches, heartbeatMs), {
        onError: (error) => c.var.logger.error({ err: error }, 'event feed failed'),
      });
      return c.body(body, 200, { 'content-type': 'application/x-ndjson' }) as never;
    }
    return streamSSE(c, async (sse) => {
      sse.onAbort(() => following.abort());
      let quietSince = Date.now();
      try {
        // An id with no data sets the client's Last-Event-ID: a reconnect before the first
        // event resumes from where this stream began, not from a later end.
        if (fromEnd) await sse.write(`id: ${encodeCursor(after)}\n\n`);
        for await (const events of batches) {
          for (const event of events) {
            const data = toFeedEvent(event);
            await sse.writeSSE({ id: data.cursor, event: 'event', data: JSON.stringify(data) });
          }
          if (events.length > 0) quietSince = Date.now();
          else if (Date.now() - quietSince >= heartbeatMs) {
            await sse.write(': heartbeat\n\n');
            quietSince = Date.now();
          }
        }
      } catch (error) {
        c.var.logger.error({ err: error }, 'event feed failed');
        await sse.writeSSE({
          event: 'error',
          data: JSON.stringify({ type: 'api_error', message: 'the feed failed; reconnect' }),
        });
      } finally {
        following.abort();
      }
    }) as never;
  });
}

async function* ndjsonLines(
  batches: AsyncIterable<RecordedEvent[]>,
  heartbeatMs: number,
): AsyncGenerator<string> {
  let quietSince = Date.now();
  for await (const events of batches) {
    if (events.length > 0) {
      quietSince = Date.now();
      yield events.map((event) => `${JSON.stringify(toFeedEvent(event))}\n`).join('');
    } else if (Date.now() - quietSince >= heartbeatMs) {
      quietSince = Date.now();
      yield '\n';
    }
  }
}

function positionOfLast(events: readonly RecordedEvent[]): LogPosition {
  const last = events.at(-1)!;
  return { transactionId: last.transactionId, position: last.position };
}

function toFeedEvent(event: RecordedEvent): z.infer<typeof FeedEventSchema> {
  return {
    cursor: encodeCursor({ transactionId: event.transactionId, position: event.position }),
    jobId: event.streamId,
    version: event.version,
    type: event.type,
    data: event.data,
    metadata: event.metadata,
    recordedAt: event.recordedAt.toISOString(),
    hash: event.hash ?? null,
  };
}
