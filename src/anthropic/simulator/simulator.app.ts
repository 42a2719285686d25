import { setTimeout as delay } from 'node:timers/promises';
import type { HttpBindings } from '@hono/node-server';
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import {
  ANTHROPIC_API_VERSIONS,
  type AnthropicApiVersion,
  isAnthropicApiVersion,
} from '../../domain/anthropic-api/api-version.js';
import { countTokens } from './count-tokens.endpoint.js';
import { drawFault } from './fault-draw.js';
import { jsonlBody } from './jsonl-body.js';
import {
  batchResultLines,
  cancelBatch,
  createBatch,
  deleteBatch,
  listBatches,
  retrieveBatch,
} from './message-batches.endpoints.js';
import { listModels, retrieveModel } from './models.endpoints.js';
import { errorBody, invalidRequest, SimulatedApiError } from './simulated-api.error.js';
import { type BatchEndpoint, ratesFor } from './simulator.options.js';
import { newRequestId } from './simulator-ids.js';
import type { SimulatorState } from './simulator-state.js';

type SimulatorEnv = {
  Bindings: HttpBindings;
  Variables: { requestId: string; version: AnthropicApiVersion };
};

const BATCHES = '/v1/messages/batches';

/**
 * The simulator's HTTP face: the Message Batches routes behind the API's
 * checks (request id, API key, version header, shared rate limit) and the
 * fault injection, plus `GET /_simulator/stats`, which is exempt from all of it.
 */
export function createSimulatorApp(state: SimulatorState): Hono<SimulatorEnv> {
  const app = new Hono<SimulatorEnv>();
  app.use('*', assignRequestId);
  app.use('*', async function organizationHeader(c, next) {
    await next();
    c.res.headers.set('anthropic-organization-id', state.settings.organizationId);
  });
  app.get('/_simulator/stats', (c) => c.json(state.stats()));
  app.use('/v1/*', requireApiHeaders);

  app.get('/v1/models', (c) =>
    c.json(
      listModels(state, {
        limit: c.req.query('limit'),
        after_id: c.req.query('after_id'),
        before_id: c.req.query('before_id'),
        lifecycle: [...(c.req.queries('lifecycle[]') ?? []), ...(c.req.queries('lifecycle') ?? [])],
      }),
    ),
  );
  app.get('/v1/models/:id', (c) => c.json(retrieveModel(state, c.req.param('id'))));

  app.post(
    BATCHES,
    guard(state, 'create'),
    refuseUnsupportedEncoding,
    bodyLimit({
      maxSize: state.settings.maxRequestBytes,
      onError: () => {
        throw new SimulatedApiError(
          413,
          'request_too_large',
          `Request exceeds the maximum allowed number of bytes (${state.settings.maxRequestBytes})`,
        );
      },
    }),
    async (c) =>
      c.json(
        createBatch(state, await readJson(c), origin(c), {
          version: c.get('version'),
          betas: (c.req.header('anthropic-beta') ?? '')
            .split(',')
            .map((beta) => beta.trim())
            .filter(Boolean),
        }),
      ),
  );
  app.post('/v1/messages/count_tokens', guard(state, 'count_tokens'), async (c) =>
    c.json(countTokens(state, await readJson(c))),
  );
  app.get(BATCHES, guard(state, 'list'), (c) =>
    c.json(
      listBatches(
        state,
        {
          limit: c.req.query('limit'),
          before_id: c.req.query('before_id'),
          after_id: c.req.query('after_id'),
        },
        origin(c),
      ),
    ),
  );
  app.get(`${BATCHES}/:id`, guard(state, 'retrieve'), (c) =>
    c.json(retrieveBatch(state, c.req.param('id'), origin(c))),
  );
  app.post(`${BATCHES}/:id/cancel`, guard(state, 'cancel'), (c) =>
    c.json(cancelBatch(state, c.req.param('id'), origin(c))),
  );
  app.delete(`${BATCHES}/:id`, guard(state, 'delete'), (c) =>
    c.json(deleteBatch(state, c.req.param('id'))),
  );
  app.get(`${BATCHES}/:id/results`, guard(state, 'results'), (c) => {
    const { lines, count } = batchResultLines(state, c.req.param('id'));
    const cut = state.random.next() < state.faults.resultsCutRate;
    if (cut) state.faultsInjected.results_cut += 1;
    const hangUp = () => c.env.outgoing.socket?.end();
    return new Response(
      jsonlBody(lines, cut ? { afterLines: Math.floor(count / 2), hangUp } : undefined),
      {
        // Chunked from the first byte: the adapter would otherwise read ahead to set a
        // content-length, and a cut download would arrive as a short but well-formed answer.
        headers: { 'content-type': 'application/binary', 'transfer-encoding': 'chunked' },
      },
    );
  });

  app.notFound((c) => {
    throw new SimulatedApiError(
      404,
      'not_found_error',
      `No route for ${c.req.method} ${c.req.path}`,
    );
  });
  app.onError((error, c) => {
    const known =
      error instanceof SimulatedApiError
        ? error
        : new SimulatedApiError(500, 'api_error', 'Internal server error');
    for (const [name, value] of Object.entries(known.headers)) c.header(name, value);
    return c.json(
      errorBody(known.errorType, known.message, c.get('requestId'), known.errorCode),
      known.httpStatus as ContentfulStatusCode,
    );
  });
  return app;
}

const assignRequestId: MiddlewareHandler<SimulatorEnv> = async function assignRequestId(c, next) {
  const requestId = newRequestId();
  c.set('requestId', requestId);
  await next();
  c.res.headers.set('request-id', requestId);
};

const requireApiHeaders: MiddlewareHandler<SimulatorEnv> = async function requireApiHeaders(
  c,
  next,
) {
  // Any key is accepted; recent SDKs send it as a bearer token rather than x-api-key.
  const bearer = /^Bearer\s+(\S+)/i.exec(c.req.header('authorization') ?? '')?.[1];
  if (!c.req.header('x-api-key') && !bearer) {
    throw new SimulatedApiError(401, 'authentication_error', 'x-api-key header is required');
  }
  const version = c.req.header('anthropic-version');
  if (!version) throw invalidRequest('anthropic-version: header is required');
  if (!isAnthropicApiVersion(version)) {
    throw invalidRequest(
      `anthropic-version: "${version}" is not a valid version; use one of ${ANTHROPIC_API_VERSIONS.join(', ')}`,
    );
  }
  c.set('version', version);
  await next();
};

/** The simulator reads only plain bodies: any Content-Encoding is refused with its error code. */
const refuseUnsupportedEncoding: MiddlewareHandler<SimulatorEnv> =
  async function refuseUnsupportedEncoding(c, next) {
    const encoding = c.req.header('content-encoding');
    if (encoding && encoding.toLowerCase() !== 'identity') {
      throw new SimulatedApiError(
        400,
        'invalid_request_error',
        `Content-Encoding "${encoding}" is not supported`,
        {},
        'request_body_encoding_unsupported',
      );
    }
    await next();
  };

/**
 * Runs before each batch endpoint: counts the call, applies the shared rate
 * limit, then whatever fault the seeded draw gives this call.
 */
function guard(state: SimulatorState, endpoint: BatchEndpoint): MiddlewareHandler<SimulatorEnv> {
  return async function guardEndpoint(c, next) {
    state.httpRequests += 1;
    const waitMs = state.rateLimit?.take(state.nowMs()) ?? 0;
    if (waitMs > 0) {
      state.rateLimited += 1;
      throw new SimulatedApiError(
        429,
        'rate_limit_error',
        `Rate limit of ${state.settings.requestsPerMinute} requests per minute exceeded`,
        { 'retry-after': String(Math.ceil(waitMs / 1000)) },
      );
    }
    const fault = drawFault(ratesFor(state.faults, endpoint), state.random);
    if (fault.slow) {
      state.faultsInjected.slow += 1;
      // A caller that gives up (or a stopping server) ends the wait; the call then goes on unanswered.
      await delay(state.faults.slowMs, undefined, { signal: c.req.raw.signal }).catch(() => {});
    }
    switch (fault.refusal) {
      case null:
        return next();
      case 'rate_limit':
        state.faultsInjected.rate_limit += 1;
        throw new SimulatedApiError(429, 'rate_limit_error', 'Rate limited (injected fault)', {
          'retry-after': String(state.faults.retryAfterSeconds),
        });
      case 'overloaded':
        state.faultsInjected.overloaded += 1;
        throw new SimulatedApiError(529, 'overloaded_error', 'Overloaded (injected fault)');
      case 'server_error':
        state.faultsInjected.server_error += 1;
        throw new SimulatedApiError(500, 'api_error', 'Internal server error (injected fault)');
      case 'connection_reset':
        state.faultsInjected.connection_reset += 1;
        return dropConnection(c);
      case 'response_loss':
        state.faultsInjected.response_loss += 1;
        await next();
        return dropConnection(c);
      default: {
        const unreachable: never = fault.refusal;
        return unreachable;
      }
    }
  };
}

/** Cuts the TCP connection with no answer; what the client sees is a reset. */
function dropConnection(c: Context<SimulatorEnv>): Response {
  c.env.incoming.socket.resetAndDestroy();
  c.res = new Response(null, { status: 204 });
  return c.res;
}

async function readJson(c: Context<SimulatorEnv>): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    throw invalidRequest('request body: not valid JSON');
  }
}

/** The scheme and host the caller used, so results URLs point back at us however we were reached. */
function origin(c: Context<SimulatorEnv>): string {
  return new URL(c.req.url).origin;
}
