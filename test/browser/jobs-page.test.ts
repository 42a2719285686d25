import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DashboardServer, launchChromium, openPage } from './dashboard-harness.js';

describe('the jobs page', () => {
  let server: DashboardServer;
  let browser: Browser;

  beforeAll(async () => {
    [server, browser] = await Promise.all([DashboardServer.start(), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('is served at / with a content-security policy and loads without errors', async () => {
    const response = await fetch(`${server.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    const { page, problems, context } = await openPage(browser);
    await page.goto(`${server.url}/`);
    await page.getByRole('heading', { name: 'Jobs' }).waitFor();
    await page.locator('.figure-value').first().filter({ hasNotText: '…' }).waitFor();
    expect(problems).toEqual([]);
    await context.close();
  });

  it('shows a job created over the API and follows it to completed without a reload', async () => {
    const { page, problems, context } = await openPage(browser);
    await page.goto(`${server.url}/`);
    await page.getByRole('heading', { name: 'Jobs' }).waitFor();
    // A mark on the window: a reload would lose it.
    await page.evaluate('window.__sameDocument = true');

    const job = await server.createJob({ count: 4, tags: ['nightly'] });
    const row = page.locator(`tr[data-job-id="${job.id}"]`);
    await row.waitFor();
    await server.waitForJob(job.id, ['processing'], 'waiting');
    await page.locator(`tr[data-job-id="${job.id}"][data-status="processing"]`).waitFor();
    expect(await row.locator('.tag').allTextContents()).toEqual(['nightly']);

    // Nothing above the table moves when the figures and rows change.
    const tableTop = await page.locator('#jobs-title').boundingBox();
    server.finishBatches();
    await page.locator(`tr[data-job-id="${job.id}"][data-status="completed"]`).waitFor();
    expect(await page.locator('#jobs-title').boundingBox()).toEqual(tableTop);
    expect(await row.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100');
    expect(await page.evaluate('window.__sameDocument')).toBe(true);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('filters by status and by text', async () => {
    const tagged = await server.createJob({ tags: ['needle-tag'] });
    const other = await server.createJob({ tags: ['hay'] });
    await server.waitForJob(tagged.id, ['processing']);
    const { page, problems, context } = await openPage(browser);
    await page.goto(`${server.url}/`);
    await page.locator(`tr[data-job-id="${tagged.id}"]`).waitFor();
    await page.locator(`tr[data-job-id="${other.id}"]`).waitFor();

    await page.locator('select[name=status]').selectOption('completed');
    await page.locator(`tr[data-job-id="${tagged.id}"]`).waitFor({ state: 'detached' });
    for (const status of await page
      .locator('tbody tr[data-status]')
      .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-status')))) {
      expect(status).toBe('completed');
    }

    await page.locator('select[name=status]').selectOption('');
    await page.getByRole('searchbox', { name: 'Search' }).fill('needle-tag');
    await page.locator('tbody tr[data-job-id]').first().waitFor();
    await page.locator(`tr[data-job-id="${other.id}"]`).waitFor({ state: 'detached' });
    expect(
      await page
        .locator('tbody tr[data-job-id]')
        .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-job-id'))),
    ).toEqual([tagged.id]);
    expect(problems.filter((p) => p.includes('/v1/jobs'))).toEqual([]);
    await context.close();
  });
});
