import { copyFile, stat } from 'node:fs/promises';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CreatedJob,
  DashboardServer,
  launchChromium,
  openPage,
  screenshot,
} from './dashboard-harness.js';

const VIEWPORTS = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 },
] as const;
const SCHEMES = ['light', 'dark'] as const;

/**
 * The README's picture: small enough to keep in the repository. Made again with
 * `UPDATE_README_SCREENSHOT=1 npm run test:browser`.
 */
const README_SCREENSHOT = new URL('../../docs/dashboard.png', import.meta.url).pathname;
const README_SCREENSHOT_MAX_BYTES = 150 * 1024;

describe('how the dashboard looks', () => {
  let server: DashboardServer;
  let browser: Browser;
  let done: CreatedJob;

  beforeAll(async () => {
    [server, browser] = await Promise.all([DashboardServer.start(), launchChromium()]);
    done = await server.createJob({
      count: 6,
      tags: ['nightly', 'faq'],
      metadata: { pipeline: 'faq-refresh' },
    });
    const other = await server.createJob({ count: 2, tags: ['adhoc'], priority: 'HIGH' });
    await server.waitForJob(done.id, ['processing'], 'waiting');
    await server.waitForJob(other.id, ['processing'], 'waiting');
    server.finishBatches();
    await server.waitForJob(done.id, ['completed']);
    await server.waitForJob(other.id, ['completed']);
    const cancelled = await server.createJob({ count: 3, tags: ['backfill'], priority: 'LOW' });
    await server.waitForJob(cancelled.id, ['processing'], 'waiting');
    await server.apiJson('POST', `/v1/jobs/${cancelled.id}/cancel`);
    await server.waitForJob(cancelled.id, ['cancelled']);
    const running = await server.createJob({ count: 5, tags: ['nightly'], priority: 'CRITICAL' });
    await server.waitForJob(running.id, ['processing'], 'waiting');
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function jobsPage(page: Page) {
    await page.goto(`${server.url}/`);
    await page.locator(`tr[data-job-id="${done.id}"][data-status="completed"]`).waitFor();
    await page.locator('.chart-box canvas').first().waitFor();
    await page.locator('.figure-value').first().filter({ hasNotText: '…' }).waitFor();
  }

  async function jobPage(page: Page) {
    await page.goto(`${server.url}/#/jobs/${done.id}`);
    await page.locator('.state-chart g.state.current').waitFor();
    await page.locator('.event-button').first().waitFor();
  }

  for (const viewport of VIEWPORTS) {
    for (const colorScheme of SCHEMES) {
      it(`is screenshot at ${viewport.width}×${viewport.height}, ${colorScheme}`, async () => {
        const { page, problems, context } = await openPage(browser, { ...viewport, colorScheme });
        await jobsPage(page);
        const width = await page.evaluate('document.documentElement.scrollWidth');
        expect(width).toBeLessThanOrEqual(viewport.width); // nothing wider than the screen
        await screenshot(page, `jobs-${viewport.name}-${colorScheme}`);
        await jobPage(page);
        expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(
          viewport.width,
        );
        await screenshot(page, `job-${viewport.name}-${colorScheme}`);
        expect(problems).toEqual([]);
        await context.close();
      });
    }
  }

  it('makes the README screenshot, kept small', async () => {
    const { page, context } = await openPage(browser, {
      width: 1280,
      height: 800,
      colorScheme: 'light',
    });
    await jobsPage(page);
    const path = await screenshot(page, 'readme');
    await context.close();
    expect((await stat(path)).size).toBeLessThan(README_SCREENSHOT_MAX_BYTES);
    // The picture in docs/ changes only when asked: a test run leaves the checkout clean.
    if (process.env.UPDATE_README_SCREENSHOT === '1') await copyFile(path, README_SCREENSHOT);
  });

  for (const colorScheme of SCHEMES) {
    it(`has no serious or critical accessibility violation on the jobs and job pages (${colorScheme})`, async () => {
      const { page, context } = await openPage(browser, { colorScheme });
      for (const open of [jobsPage, jobPage]) {
        await open(page);
        const { violations } = await new AxeBuilder({ page }).analyze();
        const serious = violations
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
        expect(serious).toEqual([]);
      }
      await context.close();
    });
  }
});
