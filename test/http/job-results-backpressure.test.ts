import { get } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpServer, startHttpServer } from '../../src/cli/serve/http-server.js';
import { createRouter } from '../../src/http/create-router.js';
import { jobsApi } from '../../src/http/jobs-api.js';
import { request, TestBed } from '../support/manager.js';
import { API_KEYS } from './jobs-harness.js';
import { buildTestApp } from './test-app.js';

const REQUESTS = 600;
const REPLY_CHARS = 60_000;

/** Counts the bytes the server has taken from each response body (to the socket, or held). */
function bodyMeter() {
  const meter = { taken: 0 };
  const router = createRouter();
  router.use('*', async (c, next) => {
    await next();
    const body = c.res.body;
    if (!c.req.path.endsWith('/results') || !body) return;
    const counting = new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        meter.taken += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    c.res = new Response(body.pipeThrough(counting), c.res);
  });
  return { meter, router };
}

/** Resolves once `read()` has not changed for `quietMs`, with its last value. */
async function settled(read: () => number, quietMs = 300): Promise<number> {
  let last = read();
  let since = performance.now();
  for (;;) {
    await sleep(25);
    const now = read();
    if (now !== last) {
      last = now;
      since = performance.now();
    } else if (performance.now() - since >= quietMs) {
      return now;
    }
  }
}

describe('GET /v1/jobs/{id}/results to a slow reader, over a real port', () => {
  let bed: TestBed;
  let server: HttpServer;
  let meter: { taken: number };
  let jobId: string;
  beforeAll(async () => {
    bed = await TestBed.open();
    const manager = bed.manager({ worker: false });
    const metered = bodyMeter();
    meter = metered.meter;
    const { app } = buildTestApp(bed.database, {
      apiKeys: [...API_KEYS],
      routes: [metered.router, ...jobsApi({ manager })],
    });
    server = await startHttpServer(app.fetch, { port: 0, host: '127.0.0.1' });
    const requests = Array.from({ length: REQUESTS }, (_, i) => request(`slow-${i}`));
    jobId = (await manager.forTenant('acme').createJob({ requests })).id;
    // Every request a long reply: some 36 MB of results.
    await sql`
      insert into request_results (job_id, ordinal, attempt, batch_key, result_type, error_type,
                                   final, result, input_tokens, output_tokens, recorded_at)
      select job_id, ordinal, 1, null, 'succeeded', null, true,
             jsonb_build_object('type', 'succeeded', 'message',
               jsonb_build_object('text', ordinal || repeat('x', ${REPLY_CHARS}))),
             1, 1, now()
      from job_requests where job_id = ${jobId}
    `.execute(bed.database.db);
  });
  afterAll(async () => {
    await server?.close(0);
    await bed?.close();
  });

  // Embedded PGlite builds 36 MB of lines slowly on a busy machine: a longer bound than the default.
  it('reads from the database only as fast as the client reads, and then sends everything', {
    timeout: 120_000,
  }, async () => {
    const total = { bytes: 0, lines: 0 };
    const count = (chunk: Buffer) => {
      total.bytes += chunk.length;
      for (const byte of chunk) if (byte === 10) total.lines += 1;
    };
    const response = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
      get(
        `${server.url}/v1/jobs/${jobId}/results?partial=true`,
        { headers: { authorization: `Bearer ${API_KEYS[0].key}` } },
        resolve,
      ).on('error', reject);
    });
    expect(response.statusCode).toBe(200);
    // Take one chunk, then stop reading.
    await new Promise<void>((resolve) => {
      response.once('data', (chunk: Buffer) => {
        response.pause();
        count(chunk);
        resolve();
      });
    });
    const takenWhilePaused = await settled(() => meter.taken);
    const everything = REQUESTS * REPLY_CHARS;
    // What the server has taken sits in socket buffers and a few 1 MiB pages: far from all of it.
    // (Measured: 4.3 MB.)
    expect(takenWhilePaused).toBeLessThan(everything / 4);

    response.on('data', count);
    response.resume();
    await new Promise((resolve) => response.once('end', resolve));
    expect(total.lines).toBe(REQUESTS);
    expect(total.bytes).toBe(meter.taken);
    expect(total.bytes).toBeGreaterThan(everything);
  });
});
