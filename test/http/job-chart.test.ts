import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMachine } from 'xstate';
import { describeJobMachine, type JobChart } from '../../src/machines/job-chart.js';
import type { XStateMachineConfig } from '../../src/machines/job-chart.xstate.js';
import { JobsApiHarness, request } from './jobs-harness.js';

describe('GET /v1/jobs/{id}/chart in its formats', () => {
  let api: JobsApiHarness;
  let jobId: string;
  beforeAll(async () => {
    api = await JobsApiHarness.open();
    jobId = (await api.createJob({ requests: [request('charted')] })).id;
    await api.waitForStatus(jobId, ['completed']);
  });
  afterAll(() => api.close());

  it('answers the chart as JSON by default, as before', async () => {
    const response = await api.call('GET', `/v1/jobs/${jobId}/chart`);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const chart = (await response.json()) as JobChart & { jobId: string };
    expect(chart).toMatchObject({ jobId, current: { state: 'completed', step: null } });
    expect(chart.machine).toEqual(describeJobMachine());
  });

  it('draws it as SVG for format=svg and for Accept: image/svg+xml', async () => {
    for (const [path, headers] of [
      [`/v1/jobs/${jobId}/chart?format=svg`, {}],
      [`/v1/jobs/${jobId}/chart`, { accept: 'image/svg+xml' }],
    ] as const) {
      const response = await api.call('GET', path, { headers });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
      const svg = await response.text();
      expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
      expect(svg).toContain('<g class="state atomic visited current" data-state="completed">');
      expect(svg).toMatch(
        /<g class="edge taken" data-from="processing.waiting" data-to="completed" data-event="JobCompleted" data-count="1">/,
      );
    }
  });

  it('answers the machine as an XState config for format=json', async () => {
    const response = await api.call('GET', `/v1/jobs/${jobId}/chart?format=json`);
    const config = (await response.json()) as XStateMachineConfig;
    expect(config).toMatchObject({ id: 'job', initial: 'new' });
    expect(config.states?.processing?.initial).toBe('submitting');
    expect(config.states?.deleted).toEqual({ type: 'final' });
    expect(() => createMachine(config as Parameters<typeof createMachine>[0])).not.toThrow();
  });

  it('answers Mermaid text for format=mermaid', async () => {
    const response = await api.call('GET', `/v1/jobs/${jobId}/chart?format=mermaid`);
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    const text = await response.text();
    expect(text.split('\n')[0]).toBe('stateDiagram-v2');
    expect(text).toContain('class completed current');
  });

  it('refuses an unknown format with a 400 naming format', async () => {
    const response = await api.call('GET', `/v1/jobs/${jobId}/chart?format=png`);
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { issues: { path: string }[] } };
    expect(error.issues.map((i) => i.path)).toEqual(['format']);
  });

  it('does not draw another tenant’s job', async () => {
    const response = await api.call('GET', `/v1/jobs/${jobId}/chart?format=svg`, {
      tenant: 'globex',
    });
    expect(response.status).toBe(404);
  });
});
