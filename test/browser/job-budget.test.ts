import AxeBuilder from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mixedJob } from '../support/cached-requests.js';
import {
  type CreatedJob,
  DashboardServer,
  launchChromium,
  openPage,
  screenshot,
} from './dashboard-harness.js';

/** Far below one request's worst case: nothing fits, so the job pauses for its budget at once. */
const TINY_CAP = 0.00001;

interface JobView {
  status: string;
  budget: { maxCostUsd: number | null; overBudget: string; pausedFor: string | null };
  cachePriming?: {
    mode: string;
    groups: number;
    primed: number;
    primeBatches: number;
    heldBack: number;
  };
}

function requests(tag: string) {
  return Array.from({ length: 3 }, (_, i) => ({
    custom_id: `budget-${tag}-${i}`,
    params: {
      model: 'claude-haiku-4-5',
      max_tokens: 64,
      messages: [{ role: 'user', content: `question ${tag} ${i}` }],
    },
  }));
}

describe('the job page’s budget and cache priming', () => {
  let server: DashboardServer;
  let browser: Browser;

  /** A job capped at TINY_CAP, paused for its budget. */
  async function pausedJob(tag: string): Promise<CreatedJob> {
    const job = await server.apiJson<CreatedJob>('POST', '/v1/jobs', {
      requests: requests(tag),
      maxCostUsd: TINY_CAP,
    });
    await server.waitForJob(job.id, ['paused']);
    return job;
  }

  async function open(
    id: string,
    colorScheme: 'light' | 'dark' = 'light',
  ): Promise<{ page: Page; problems: string[]; close: () => Promise<void> }> {
    const { page, problems, context } = await openPage(browser, { colorScheme });
    await page.goto(`${server.url}/#/jobs/${id}`);
    await page.getByRole('region', { name: 'Budget' }).waitFor();
    return { page, problems, close: () => context.close() };
  }

  beforeAll(async () => {
    [server, browser] = await Promise.all([DashboardServer.start(), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows a job paused for its budget, and raising the cap resumes it', async () => {
    const job = await pausedJob('raise');
    const view = await server.apiJson<JobView>('GET', `/v1/jobs/${job.id}`);
    expect(view.budget).toMatchObject({ maxCostUsd: TINY_CAP, pausedFor: 'budget' });

    const { page, problems, close } = await open(job.id);
    await page.locator('[data-testid="current-state"]', { hasText: /^paused$/ }).waitFor();
    expect(await page.getByTestId('budget-cap').textContent()).toBe('$0.00001');
    expect(await page.getByTestId('budget-paused-for').textContent()).toMatch(/^its budget: /);
    expect(await page.getByTestId('budget-spent').textContent()).toBe('$0 of $0.00001 spent');

    await page.getByRole('button', { name: 'Edit cap' }).click();
    const field = page.getByLabel('Cap in USD (empty: no cap)');
    expect(await field.inputValue()).toBe(String(TINY_CAP));
    await field.fill('5');
    await page.getByRole('button', { name: 'Save' }).click();

    await page
      .getByTestId('budget-cap')
      .filter({ hasText: /^\$5\.00$/ })
      .waitFor();
    await page.locator('[data-testid="current-state"]', { hasText: /^processing/ }).waitFor();
    expect(await page.getByTestId('cap-saved').textContent()).toBe(
      'Cap now $5.00; the job went from paused to processing.',
    );
    expect(await page.getByTestId('budget-paused-for').count()).toBe(0);
    const after = await server.apiJson<JobView>('GET', `/v1/jobs/${job.id}`);
    expect(after.budget).toMatchObject({ maxCostUsd: 5, pausedFor: null });
    expect(after.status).toBe('processing');
    expect(problems).toEqual([]);
    await close();
  });

  it('shows the API’s refusal of an invalid cap next to the field, and changes nothing', async () => {
    const job = await pausedJob('invalid');
    const { page, problems, close } = await open(job.id);
    await page.getByRole('button', { name: 'Edit cap' }).click();
    const field = page.getByLabel('Cap in USD (empty: no cap)');
    await field.fill('-1');
    await page.getByRole('button', { name: 'Save' }).click();

    const error = page.getByTestId('cap-error').locator('.error-line');
    await error.waitFor();
    expect(await error.textContent()).toContain('maxCostUsd must be a positive number (USD)');
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    expect(await field.inputValue()).toBe('-1');
    expect(await page.getByTestId('budget-cap').textContent()).toBe('$0.00001');
    const view = await server.apiJson<JobView>('GET', `/v1/jobs/${job.id}`);
    expect(view.status).toBe('paused');
    expect(view.budget).toMatchObject({ maxCostUsd: TINY_CAP, pausedFor: 'budget' });
    expect(problems).toEqual([`400 /v1/jobs/${job.id}`]);
    await close();
  });

  it('shows the cache priming of a job with cachePriming auto', async () => {
    const job = await server.apiJson<CreatedJob>('POST', '/v1/jobs', {
      ...mixedJob('priming'),
      cachePriming: 'auto',
    });
    // Settled once both groups (5 m, 1 h) have their priming batch sent; the simulator's batches
    // do not end, so 3 requests of those groups wait (the uncached one is sent at once).
    let view: JobView;
    for (;;) {
      view = await server.apiJson<JobView>('GET', `/v1/jobs/${job.id}`);
      const priming = view.cachePriming;
      if (priming && priming.groups === 2 && priming.primeBatches === 2) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(view.cachePriming).toMatchObject({ mode: 'auto', primed: 0, heldBack: 3 });
    const { page, problems, close } = await open(job.id);
    const row = page.locator('.kv', { hasText: 'Cache priming' });
    await row.waitFor();
    const text = (await row.locator('dd').textContent()) ?? '';
    expect(text).toBe(
      'auto · 0 of 2 groups primed · 2 prime batches · 3 requests held back · costs one more batch turnaround',
    );
    expect(problems).toEqual([]);
    await close();
  });

  for (const colorScheme of ['light', 'dark'] as const) {
    it(`has no serious or critical accessibility violation in the budget section, editor and error shown (${colorScheme})`, async () => {
      const job = await pausedJob(`axe-${colorScheme}`);
      const { page, close } = await open(job.id, colorScheme);
      await page.getByRole('button', { name: 'Edit cap' }).click();
      await page.getByLabel('Cap in USD (empty: no cap)').fill('-1');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByTestId('cap-error').locator('.error-line').waitFor();
      await page.getByRole('region', { name: 'Budget' }).scrollIntoViewIfNeeded();
      await screenshot(page, `job-budget-${colorScheme}`);
      const { violations } = await new AxeBuilder({ page }).include('.budget').analyze();
      const serious = violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
      expect(serious).toEqual([]);
      await close();
    });
  }
});
