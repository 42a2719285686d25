import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OpenApiDocument, operationsOf, ServedApp } from './served-app.js';

const REDOCLY = resolve('node_modules/.bin/redocly');

/** The operationIds clients are generated with: a contract, changed only with a note. */
const OPERATION_IDS = {
  'POST /v1/jobs': 'createJob',
  'GET /v1/jobs': 'listJobs',
  'GET /v1/jobs/{id}': 'getJob',
  'DELETE /v1/jobs/{id}': 'deleteJob',
  'PATCH /v1/jobs/{id}': 'updateJob',
  'POST /v1/jobs/{id}/cancel': 'cancelJob',
  'POST /v1/jobs/{id}/pause': 'pauseJob',
  'POST /v1/jobs/{id}/resume': 'resumeJob',
  'POST /v1/jobs/{id}/retry': 'retryJob',
  'POST /v1/jobs/bulk': 'bulkJobs',
  'POST /v1/jobs/estimate': 'estimateJob',
  'GET /v1/jobs/{id}/results': 'getJobResults',
  'GET /v1/jobs/{id}/events': 'listJobEvents',
  'GET /v1/events': 'listEvents',
  'GET /v1/jobs/{id}/stream': 'streamJob',
  'GET /v1/jobs/{id}/chart': 'getJobChart',
  'GET /v1/stats': 'getJobStats',
  'GET /v1/stats/series': 'getStatsSeries',
  'POST /v1/webhooks': 'registerBatchWebhook',
  'GET /v1/webhooks': 'listWebhooks',
  'DELETE /v1/webhooks/{id}': 'deleteWebhook',
  'POST /v1/webhooks/{id}/ping': 'pingWebhook',
  'POST /v1/webhooks/{id}/secret/rotate': 'rotateWebhookSecret',
  'GET /v1/webhooks/deliveries': 'listWebhookDeliveries',
  'POST /v1/webhooks/deliveries/{id}/retry': 'retryWebhookDelivery',
};

interface LintReport {
  totals: { errors: number; warnings: number; ignored: number };
  problems: { ruleId: string; severity: string; message: string; location: unknown[] }[];
}

/** Every body the document shows: request and response media types, by operation. */
function mediaTypesOf(document: OpenApiDocument) {
  return operationsOf(document).flatMap(([name, operation]) => [
    ...Object.entries(operation.requestBody?.content ?? {}).map(
      ([type, media]) => [`${name} request ${type}`, media] as const,
    ),
    ...Object.entries(operation.responses).flatMap(([status, response]) =>
      Object.entries(response.content ?? {}).map(
        ([type, media]) => [`${name} ${status} ${type}`, media] as const,
      ),
    ),
  ]);
}

describe('the served OpenAPI document', () => {
  let served: ServedApp;
  let document: OpenApiDocument;
  beforeAll(async () => {
    served = await ServedApp.start();
    document = await served.document();
  });
  afterAll(() => served.close());

  it('passes redocly lint with its recommended rules: no error, no warning', async () => {
    // Run where no redocly config is found, with the rules pinned, telemetry and update checks off.
    const cwd = await mkdtemp(join(tmpdir(), 'batchkeeper-redocly-'));
    try {
      const { stdout } = await promisify(execFile)(
        REDOCLY,
        ['lint', served.documentUrl, '--extends=recommended', '--format=json'],
        {
          cwd,
          env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
        },
      );
      const report = JSON.parse(stdout) as LintReport;
      expect(report.problems).toEqual([]);
      expect(report.totals).toEqual({ errors: 0, warnings: 0, ignored: 0 });
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  });

  it('gives every operation its stable operationId', () => {
    const ids = Object.fromEntries(
      operationsOf(document).map(([name, operation]) => [name, operation.operationId]),
    );
    expect(ids).toEqual(OPERATION_IDS);
  });

  it('names its license, its server and every tag it uses, with a description', () => {
    expect(document.info.license).toEqual({
      name: 'MIT',
      url: 'https://spdx.org/licenses/MIT.html',
    });
    expect(document.servers).toEqual([{ url: '.', description: expect.any(String) }]);
    const used = new Set(operationsOf(document).flatMap(([, operation]) => operation.tags ?? []));
    const declared = new Map(document.tags?.map((tag) => [tag.name, tag.description]));
    expect([...used].sort()).toEqual([...declared.keys()].sort());
    for (const description of declared.values()) expect(description).toMatch(/\w{3}/);
  });

  it('documents 401 on every operation that needs a key', () => {
    const without = operationsOf(document)
      .filter(([, operation]) => !operation.responses['401'])
      .map(([name]) => name);
    expect(without).toEqual([]);
  });

  it('shows an example of every body it documents', () => {
    const without = mediaTypesOf(document)
      .filter(([, media]) => media.example === undefined)
      .map(([name]) => name);
    expect(without).toEqual([]);
  });

  it('shows realistic examples: current models, real ids, no placeholder values', () => {
    const examples = JSON.stringify(mediaTypesOf(document).map(([, media]) => media.example));
    expect(examples).toContain('claude-sonnet-5-5');
    expect(examples).not.toMatch(/"string"|additionalProp|"\.\.\."|_\.\.\.|lorem/i);
    expect(examples).not.toMatch(/claude-[a-z]+-[0-4]-/);
    expect(examples).toMatch(/"job_[0-9a-z]{24}"/);
  });
});
