import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

/**
 * The peer of the HTTP benchmarks: a Hono app on @hono/node-server that answers every
 * request of one method with the same bytes. `GET`: nothing else is done; `POST`: the
 * JSON body is parsed first. Run as
 * `bin/run-ts bench/edges/constant-hono.server.ts <GET|POST> <status> <body file>`;
 * prints `listening <url>` once it listens on a free loopback port.
 */
const [method, statusArg, bodyFile] = process.argv.slice(2);
if ((method !== 'GET' && method !== 'POST') || !statusArg || !bodyFile) {
  throw new Error('usage: constant-hono.server.ts <GET|POST> <status> <body file>');
}
const status = Number(statusArg) as 200 | 201;
const body = readFileSync(bodyFile);
// A fresh object per answer: Hono takes the headers record over.
const headers = () => ({ 'content-type': 'application/json' });

const app = new Hono();
if (method === 'GET') {
  app.get('*', (c) => c.body(body, status, headers()));
} else {
  app.post('*', async (c) => {
    await c.req.json();
    return c.body(body, status, headers());
  });
}

serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
  console.log(`listening http://127.0.0.1:${info.port}`);
});
