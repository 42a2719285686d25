import AxeBuilder from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DashboardServer, launchChromium, openPage } from './dashboard-harness.js';

/** A request item; `refused` adds a field Anthropic refuses on this model (dropped, errored at once). */
function item(name: string, refused = false) {
  return {
    custom_id: `req-${name}`,
    params: {
      model: 'claude-sonnet-5-5',
      max_tokens: 64,
      messages: [{ role: 'user', content: `question ${name}` }],
      ...(refused ? { temperature: 1 } : {}),
    },
  };
}

interface JobJson {
  retries: string[];
  retryOf: string | null;
}

describe('the job page: the retry chain and "retry failed"', () => {
  let server: DashboardServer;
  let browser: Browser;
  let original: string;

  beforeAll(async () => {
    [server, browser] = await Promise.all([DashboardServer.start(), launchChromium()]);
    ({ id: original } = await server.apiJson<{ id: string }>('POST', '/v1/jobs', {
      onInvalid: 'drop',
      requests: [item('fine'), item('hot', true)],
    }));
    await server.waitForJob(original, ['processing'], 'waiting');
    server.finishBatches();
    await server.waitForJob(original, ['completed']);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function openJob(
    id: string,
  ): Promise<{ page: Page; problems: string[]; close: () => Promise<void> }> {
    const { page, problems, context } = await openPage(browser);
    await page.goto(`${server.url}/#/jobs/${id}`);
    await page.getByTestId('current-state').waitFor();
    return { page, problems, close: () => context.close() };
  }

  it('refuses overrides that are not JSON without creating anything', async () => {
    const { page, close } = await openJob(original);
    await page.getByRole('heading', { name: 'Retry failed requests' }).waitFor();
    const { violations } = await new AxeBuilder({ page }).include('.retry-failed').analyze();
    expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
    await page.getByLabel(/Overrides/).fill('{temperature');
    await page.getByRole('button', { name: 'Retry failed' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Retry failed' }).click();
    await page.getByText('Overrides must be JSON').waitFor();
    expect((await server.apiJson<JobJson>('GET', `/v1/jobs/${original}`)).retries).toEqual([]);
    await close();
  });

  it('retries the failed requests with the overrides after a confirmation, and shows the chain both ways', async () => {
    const { page, problems, close } = await openJob(original);
    await page.getByLabel(/Overrides/).fill('{"temperature": null}');
    await page.getByRole('button', { name: 'Retry failed' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText(`job ${original} again as a new job`).waitFor();
    await dialog.getByRole('button', { name: 'Retry failed' }).click();
    const created = page.getByTestId('retry-created').getByRole('link');
    await created.waitFor();
    const retryId = (await created.textContent())!;

    const view = await server.apiJson<JobJson>('GET', `/v1/jobs/${original}`);
    expect(view.retries).toEqual([retryId]);
    await page.getByTestId('retried-by').filter({ hasText: retryId }).waitFor();

    await created.click();
    await page.getByTestId('retry-of').filter({ hasText: original }).waitFor();
    const { violations } = await new AxeBuilder({ page }).include('.retry-chain').analyze();
    expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
    expect((await server.apiJson<JobJson>('GET', `/v1/jobs/${retryId}`)).retryOf).toBe(original);
    expect(problems).toEqual([]);
    await close();
  });
});
