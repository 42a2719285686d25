import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, DashboardServer, launchChromium, openPage } from './dashboard-harness.js';

describe('the dashboard with API keys on', () => {
  let server: DashboardServer;
  let browser: Browser;

  beforeAll(async () => {
    [server, browser] = await Promise.all([
      DashboardServer.start({ keys: true }),
      launchChromium(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("asks for a key, shows the API's refusal of a wrong one, and works with the right one", async () => {
    const job = await server.createJob({ tags: ['keyed'] });
    const { page, context } = await openPage(browser);
    const sentKeys: string[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      expect(url.search).not.toContain(API_KEY.key);
      const authorization = request.headers().authorization;
      if (authorization) sentKeys.push(authorization);
    });
    await page.goto(`${server.url}/`);
    await page.getByRole('heading', { name: 'API key' }).waitFor();

    await page.getByLabel('Key', { exact: true }).fill('not-the-key-0000');
    await page.getByRole('button', { name: 'Use this key' }).click();
    const refusal = page.getByRole('alert').filter({ hasText: 'That key was refused' });
    await refusal.waitFor();
    const answer = await fetch(`${server.url}/v1/stats`, {
      headers: { authorization: 'Bearer not-the-key-0000' },
    });
    expect(answer.status).toBe(401);
    const { error } = (await answer.json()) as { error: { message: string } };
    expect(await refusal.textContent()).toContain(error.message);

    await page.getByLabel('Key', { exact: true }).fill(API_KEY.key);
    await page.getByRole('button', { name: 'Use this key' }).click();
    await page.locator(`tr[data-job-id="${job.id}"]`).waitFor();
    expect(await page.evaluate('sessionStorage.getItem("batchkeeper.apiKey")')).toBe(API_KEY.key);
    expect(sentKeys).toContain(`Bearer ${API_KEY.key}`);
    await context.close();
  });
});
