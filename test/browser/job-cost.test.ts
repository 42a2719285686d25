import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CostSplit } from '../../src/domain/job-cost.js';
import { type CreatedJob, DashboardServer, launchChromium, openPage } from './dashboard-harness.js';

describe('the job page’s cost', () => {
  let server: DashboardServer;
  let browser: Browser;
  let job: CreatedJob;

  beforeAll(async () => {
    [server, browser] = await Promise.all([DashboardServer.start(), launchChromium()]);
    job = await server.createJob({ count: 2 });
    await server.waitForJob(job.id, ['processing'], 'waiting');
    server.finishBatches();
    await server.waitForJob(job.id, ['completed']);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows the cost split as the API gives it, with the saving', async () => {
    const view = await server.apiJson<{ usage: { cost: CostSplit } }>('GET', `/v1/jobs/${job.id}`);
    const { page, problems, context } = await openPage(browser);
    await page.goto(`${server.url}/#/jobs/${job.id}`);
    const row = page.locator('.kv', { hasText: 'Cost split' });
    await row.waitFor();
    const text = (await row.locator('dd').textContent()) ?? '';
    expect(text).toMatch(
      /^input \$\S+ · output \$\S+ · cache write \$\S+ \(5 m\), \$\S+ \(1 h\) · cache read \$\S+ · web search \$\S+ · saved \$\S+ of \$\S+ outside batches$/,
    );
    expect(view.usage.cost.savingUsd).toBeGreaterThan(0);
    expect(problems).toEqual([]);
    await context.close();
  });
});
