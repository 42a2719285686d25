import { createRoute, z } from '@hono/zod-openapi';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { apiRoutes } from '../../src/http/api-routes.js';
import { createRouter } from '../../src/http/create-router.js';
import { errorResponse } from '../../src/http/error.schema.js';
import { BatchJobManager } from '../../src/manager/batch-job-manager.js';
import type { DatabaseHandle } from '../../src/store/create-database.js';
import { openTestDatabase } from '../support/database.js';
import { buildTestApp } from './test-app.js';

/** A resource module like the ones others write, to see its schema reach the document. */
function widgetRoutes() {
  const Widget = z.object({ id: z.string(), size: z.number().int() }).openapi('Widget');
  const noWidget = { type: 'not_found_error', message: 'widget w1 not found' };
  return createRouter()
    .openapi(
      createRoute({
        method: 'get',
        path: '/v1/widgets/{id}',
        request: { params: z.object({ id: z.string() }) },
        responses: {
          200: { description: 'a widget', content: { 'application/json': { schema: Widget } } },
          404: errorResponse('no such widget', noWidget),
        },
      }),
      (c) => c.json({ id: c.req.valid('param').id, size: 3 }, 200),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/v1/widget-catalogue',
        security: [],
        responses: {
          200: { description: 'the sizes', content: { 'application/json': { schema: Widget } } },
        },
      }),
      (c) => c.json({ id: 'catalogue', size: 0 }, 200),
    );
}

interface OpenApiDocument extends Record<string, unknown> {
  openapi: string;
  paths: Record<string, Record<string, { security?: unknown[] }>>;
  components: { securitySchemes: Record<string, unknown>; schemas: Record<string, unknown> };
  security: unknown[];
}

describe('GET /openapi.json and GET /docs', () => {
  let database: DatabaseHandle;
  let app: ReturnType<typeof buildTestApp>['app'];
  let document: OpenApiDocument;
  beforeAll(async () => {
    database = await openTestDatabase();
    app = buildTestApp(database, {
      apiKeys: [{ tenant: 'acme', key: 'acme-key-0123456789' }],
      routes: [widgetRoutes()],
    }).app;
    document = (await (await app.request('/openapi.json')).json()) as OpenApiDocument;
  });
  afterAll(async () => {
    await database.close();
  });

  it('serves a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document));
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('serves a valid OpenAPI 3.1 document with every module serve mounts', async () => {
    const served = buildTestApp(database, {
      routes: apiRoutes({
        db: database.db,
        config: loadConfig({}),
        manager: new BatchJobManager({ database }),
      }),
    }).app;
    const full = (await (await served.request('/openapi.json')).json()) as Record<string, unknown>;
    const result = await new Validator().validate(full);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
  });

  it('documents the routes of mounted modules with their schemas', () => {
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/v1/widgets/{id}', '/v1/widget-catalogue']),
    );
    expect(Object.keys(document.components.schemas)).toEqual(
      expect.arrayContaining(['Widget', 'Error']),
    );
  });

  it('declares bearer and x-api-key authentication, required unless a route is public', () => {
    expect(document.components.securitySchemes).toEqual({
      bearerAuth: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
      apiKeyHeader: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'x-api-key' }),
    });
    expect(document.security).toEqual([{ bearerAuth: [] }, { apiKeyHeader: [] }]);
    expect(document.paths['/v1/widget-catalogue']?.get?.security).toEqual([]);
  });

  it('leaves the probes and the metrics out of the document, as routes for operators', () => {
    expect(Object.keys(document.paths)).not.toEqual(
      expect.arrayContaining([expect.stringMatching(/^\/(healthz|readyz|metrics)$/)]),
    );
  });

  it('makes the key optional in the document of a server in open mode', async () => {
    const open = buildTestApp(database, { authMode: 'open', routes: [widgetRoutes()] }).app;
    const openDocument = (await (await open.request('/openapi.json')).json()) as OpenApiDocument;
    expect(openDocument.security).toEqual([{ bearerAuth: [] }, { apiKeyHeader: [] }, {}]);
  });

  it('serves a docs page that loads nothing from outside', async () => {
    const response = await app.request('/docs');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toContain('<div id="swagger-ui">');
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it('serves every script and stylesheet the docs page names', async () => {
    const html = await (await app.request('/docs')).text();
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
    expect(assets.length).toBeGreaterThanOrEqual(3);
    for (const asset of assets) {
      const response = await app.request(new URL(asset, 'http://localhost/docs').pathname);
      expect(response.status, asset).toBe(200);
      expect((await response.arrayBuffer()).byteLength, asset).toBeGreaterThan(0);
    }
  });

  it('points the docs page at the generated document without the outside validator', async () => {
    const script = await (await app.request('/docs/assets/init.js')).text();
    expect(script).toContain("url: 'openapi.json'");
    expect(script).toContain('validatorUrl: null');
  });

  it('serves no file of the package but the ones the page needs', async () => {
    const response = await app.request('/docs/assets/package.json');
    expect(response.status).toBe(404);
  });
});
