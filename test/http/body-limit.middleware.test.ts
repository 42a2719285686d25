import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRouter } from '../../src/http/create-router.js';
import type { DatabaseHandle } from '../../src/store/create-database.js';
import { openTestDatabase } from '../support/database.js';
import { buildTestApp } from './test-app.js';

const LIMIT = 4096;

/** Answers how many bytes of body it read. */
function uploadRoutes() {
  const router = createRouter();
  router.post('/v1/upload', async (c) => c.json({ bytes: (await c.req.arrayBuffer()).byteLength }));
  return router;
}

/** A body of `size` bytes sent in chunks, so no Content-Length is known up front. */
function chunkedBody(size: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= size) return controller.close();
      const chunk = new Uint8Array(Math.min(1024, size - sent)).fill(0x20);
      sent += chunk.length;
      controller.enqueue(chunk);
    },
  });
}

describe('the JSON body limit', () => {
  let database: DatabaseHandle;
  let app: ReturnType<typeof buildTestApp>['app'];
  let server: Server;
  let url: string;
  beforeAll(async () => {
    database = await openTestDatabase();
    app = buildTestApp(database, { maxJsonBodyBytes: LIMIT, routes: [uploadRoutes()] }).app;
    server = createAdaptorServer({ fetch: app.fetch }) as Server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await database.close();
  });

  it('accepts a JSON body at the limit', async () => {
    const response = await app.request('/v1/upload', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: ' '.repeat(LIMIT),
    });
    expect(await response.json()).toEqual({ bytes: LIMIT });
  });

  it('refuses a JSON body over the limit with 413 request_too_large', async () => {
    const response = await app.request('/v1/upload', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: ' '.repeat(LIMIT + 1),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({
      error: {
        type: 'request_too_large',
        message: `the request body is larger than ${LIMIT} bytes`,
      },
    });
  });

  it('refuses a chunked JSON body over the limit over a real connection', async () => {
    const response = await fetch(`${url}/v1/upload`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: chunkedBody(LIMIT * 4),
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
  });

  it('leaves other media types to their routes', async () => {
    const response = await app.request('/v1/upload', {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body: ' '.repeat(LIMIT * 2),
    });
    expect(await response.json()).toEqual({ bytes: LIMIT * 2 });
  });
});
