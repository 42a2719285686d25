// The idle-memory baseline: a bare Hono app on @hono/node-server, one constant
// route, in plain node (no tsx). Prints its URL on stdout once listening.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const app = new Hono();
app.get('/', (c) => c.json({ ok: true }));
serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
  console.log(`http://127.0.0.1:${info.port}`);
});
process.on('SIGTERM', () => process.exit(0));
