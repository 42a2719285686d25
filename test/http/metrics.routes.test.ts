import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRouter } from '../../src/http/create-router.js';
import type { DatabaseHandle } from '../../src/store/create-database.js';
import { openTestDatabase } from '../support/database.js';
import { buildTestApp } from './test-app.js';

function thingRoutes() {
  const router = createRouter();
  router.get('/v1/things/:id', (c) => c.json({ id: c.req.param('id') }));
  return router;
}

describe('GET /metrics', () => {
  let database: DatabaseHandle;
  let app: ReturnType<typeof buildTestApp>['app'];
  beforeAll(async () => {
    database = await openTestDatabase();
    app = buildTestApp(database, { routes: [thingRoutes()] }).app;
  });
  afterAll(async () => {
    await database.close();
  });

  async function scrape() {
    const response = await app.request('/metrics');
    expect(response.status).toBe(200);
    return response.text();
  }

  it('answers in the Prometheus text format', async () => {
    const response = await app.request('/metrics');
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it('records a request in the latency histogram by method, route and status', async () => {
    await app.request('/healthz');
    expect(await scrape()).toMatch(
      /^batchkeeper_http_request_duration_seconds_count\{method="GET",route="\/healthz",status="200"\} [1-9]/m,
    );
  });

  it('labels a request by its route pattern, not its raw path', async () => {
    await app.request('/v1/things/t_123');
    const text = await scrape();
    expect(text).toContain('route="/v1/things/:id"');
    expect(text).not.toContain('t_123');
  });

  it('labels a request no route answered as unmatched', async () => {
    await app.request('/no/such/page');
    expect(await scrape()).toMatch(/route="unmatched",status="404"/);
  });

  it.each([
    ['batchkeeper_jobs', 'gauge'],
    ['batchkeeper_queue_depth', 'gauge'],
    ['batchkeeper_anthropic_calls_total', 'counter'],
    ['batchkeeper_anthropic_errors_total', 'counter'],
    ['batchkeeper_results_ingested_total', 'counter'],
    ['batchkeeper_tokens_total', 'counter'],
    ['batchkeeper_webhook_deliveries_total', 'counter'],
    ['process_cpu_seconds_total', 'counter'],
  ])('exposes %s as a %s', async (name, type) => {
    expect(await scrape()).toContain(`# TYPE ${name} ${type}`);
  });
});
