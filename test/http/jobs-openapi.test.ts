import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobsApi } from '../../src/http/jobs-api.js';
import { BatchJobManager } from '../../src/manager/batch-job-manager.js';
import type { DatabaseHandle } from '../../src/store/create-database.js';
import { openTestDatabase } from '../support/database.js';
import { buildTestApp } from './test-app.js';

interface Operation {
  requestBody?: { content: Record<string, unknown> };
  parameters?: { name: string; in: string }[];
  responses: Record<string, { content?: Record<string, unknown> }>;
}
type Document = {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
};

describe('the OpenAPI document with the job routes', () => {
  let database: DatabaseHandle;
  let document: Document;
  beforeAll(async () => {
    database = await openTestDatabase();
    // The manager is never used: generating the document asks nothing of it.
    const { app } = buildTestApp(database, {
      routes: jobsApi({ manager: new BatchJobManager({ database }) }),
    });
    document = (await (await app.request('/openapi.json')).json()) as Document;
  });
  afterAll(() => database.close());

  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await new Validator().validate(structuredClone(document));
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
  });

  it('lists every job route with its methods', () => {
    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(operations).toEqual(
      expect.arrayContaining([
        'POST /v1/jobs',
        'GET /v1/jobs',
        'GET /v1/jobs/{id}',
        'DELETE /v1/jobs/{id}',
        'POST /v1/jobs/{id}/cancel',
        'POST /v1/jobs/{id}/pause',
        'POST /v1/jobs/{id}/resume',
        'GET /v1/jobs/{id}/results',
        'GET /v1/jobs/{id}/events',
        'GET /v1/jobs/{id}/stream',
        'GET /v1/jobs/{id}/chart',
        'GET /v1/stats',
      ]),
    );
  });

  it('documents both bodies of job creation and the Idempotency-Key header', () => {
    const create = document.paths['/v1/jobs']!.post!;
    expect(Object.keys(create.requestBody!.content)).toEqual([
      'application/json',
      'application/x-ndjson',
    ]);
    expect(create.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'idempotency-key', in: 'header' }),
        expect.objectContaining({ name: 'priority', in: 'query' }),
      ]),
    );
    expect(Object.keys(create.responses)).toEqual(
      expect.arrayContaining(['200', '201', '400', '409', '413', '415', '429']),
    );
  });

  it('documents the streamed answers by their media types', () => {
    expect(
      Object.keys(document.paths['/v1/jobs/{id}/results']!.get!.responses['200']!.content!),
    ).toEqual(['application/x-ndjson', 'application/jsonl']);
    expect(
      Object.keys(document.paths['/v1/jobs/{id}/stream']!.get!.responses['200']!.content!),
    ).toEqual(['text/event-stream']);
  });

  it('names the job schemas as components', () => {
    expect(Object.keys(document.components.schemas)).toEqual(
      expect.arrayContaining([
        'CreateJobRequest',
        'JobSummary',
        'Job',
        'JobDetails',
        'JobList',
        'JobEvent',
        'JobChart',
        'JobStats',
      ]),
    );
  });
});
