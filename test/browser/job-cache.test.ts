import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CacheReport } from '../../src/domain/cache-report.js';
import { mixedJob } from '../support/cached-requests.js';
import { type CreatedJob, DashboardServer, launchChromium, openPage } from './dashboard-harness.js';

describe('the job page’s prompt cache', () => {
  let server: DashboardServer;
  let browser: Browser;
  let warm: CreatedJob;

  /** Creates a job and lets it run to its end. */
  async function run(tag: string): Promise<CreatedJob> {
    const job = await server.apiJson<CreatedJob>('POST', '/v1/jobs', mixedJob(tag));
    await server.waitForJob(job.id, ['processing'], 'waiting');
    server.finishBatches();
    await server.waitForJob(job.id, ['completed']);
    return job;
  }

  beforeAll(async () => {
    [server, browser] = await Promise.all([DashboardServer.start(), launchChromium()]);
    // The first job writes the cached prefixes; the second, sent after it ended, reads them.
    await run('page-cold');
    warm = await run('page-warm');
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows the hit rate, the tokens read and written and the saving, as the API gives them', async () => {
    const view = await server.apiJson<{ cache: CacheReport }>('GET', `/v1/jobs/${warm.id}`);
    expect(view.cache.readTokens).toBeGreaterThan(0);
    const { page, problems, context } = await openPage(browser);
    await page.goto(`${server.url}/#/jobs/${warm.id}`);
    const row = page.locator('.kv', { hasText: 'Prompt cache' });
    await row.waitFor();
    const text = (await row.locator('dd').textContent()) ?? '';
    const percent = `${(view.cache.hitRate! * 100).toFixed(1)}%`;
    expect(text).toMatch(
      /^\d+\.\d% hit · \S+ read · \S+ written \(\S+ 5 m, \S+ 1 h\) · saved \$\S+$/,
    );
    expect(text.startsWith(`${percent} hit · `)).toBe(true);
    expect(view.cache.savedUsd).toBeGreaterThan(0);
    expect(problems).toEqual([]);
    await context.close();
  });
});
