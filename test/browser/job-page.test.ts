import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CreatedJob, DashboardServer, launchChromium, openPage } from './dashboard-harness.js';

interface ChartJson {
  current: { state: string };
}
interface JobJson {
  status: string;
  step: string | null;
}

/** Waits until the summary names `state` (exactly). */
function showsState(page: Page, state: string): Promise<void> {
  const exactly = new RegExp(`^${state.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  return page.getByTestId('current-state').filter({ hasText: exactly }).waitFor();
}

/** The state a job view names: `processing.waiting`, `completed`. */
const stateOf = (job: JobJson) => (job.step ? `${job.status}.${job.step}` : job.status);

describe('the job page', () => {
  let server: DashboardServer;
  let browser: Browser;
  let completed: CreatedJob;

  beforeAll(async () => {
    [server, browser] = await Promise.all([DashboardServer.start(), launchChromium()]);
    completed = await server.createJob({
      count: 3,
      tags: ['audit'],
      metadata: { note: '<img src=x id=injected onerror=alert(1)>' },
    });
    await server.waitForJob(completed.id, ['processing'], 'waiting');
    server.finishBatches();
    await server.waitForJob(completed.id, ['completed']);
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

  it("highlights the job's current state in the server's chart", async () => {
    const { page, problems, close } = await openJob(completed.id);
    const chart = await server.apiJson<ChartJson>('GET', `/v1/jobs/${completed.id}/chart`);
    expect(chart.current.state).toBe('completed');
    const current = page.locator('.state-chart g.state.current');
    await current.waitFor();
    expect(await current.count()).toBe(1);
    expect(await current.getAttribute('data-state')).toBe('completed');
    expect(await page.locator('.state-chart g.edge.taken').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('current-state').textContent()).toBe('completed');
    expect(problems).toEqual([]);
    await close();
  });

  it('steps the timeline back: the state, the chart and the notice show the job as it was', async () => {
    const { page, close } = await openJob(completed.id);
    const log = await server.apiJson<{ events: { version: number; type: string }[] }>(
      'GET',
      `/v1/jobs/${completed.id}/events`,
    );
    const last = log.events.at(-1)!.version;
    await page.getByRole('button', { name: 'Previous event' }).click();
    const before = await server.apiJson<JobJson>(
      'GET',
      `/v1/jobs/${completed.id}?asOf=${last - 1}`,
    );
    await page.getByTestId('as-of-notice').waitFor();
    expect(await page.getByTestId('timeline-position').textContent()).toBe(
      `as of event ${last - 1} of ${last}`,
    );
    await showsState(page, stateOf(before));
    expect(stateOf(before)).not.toBe('completed');

    const queued = log.events.find((event) => event.type === 'JobQueued')!;
    await page.locator('.event-button', { hasText: 'JobQueued' }).click();
    await showsState(page, 'queued');
    await page.locator('.state-chart g.state.current[data-state="queued"]').waitFor();
    expect(page.url()).toContain(`asOf=${queued.version}`);
    expect(await page.getByTestId('as-of-notice').textContent()).toContain('Per-request details');

    await page.getByRole('button', { name: 'Now' }).click();
    await page.getByTestId('as-of-notice').waitFor({ state: 'detached' });
    await page.locator('.state-chart g.state.current[data-state="completed"]').waitFor();
    await close();
  });

  it('steps the timeline with the keyboard', async () => {
    const { page, close } = await openJob(completed.id);
    const slider = page.getByRole('slider', { name: 'Event' });
    const last = Number(await slider.getAttribute('max'));
    await slider.focus();
    await page.keyboard.press('ArrowLeft');
    await page.getByTestId('as-of-notice').waitFor();
    expect(await page.getByTestId('timeline-position').textContent()).toBe(
      `as of event ${last - 1} of ${last}`,
    );
    await close();
  });

  it('previews the results, filters them by type and downloads them', async () => {
    const { page, close } = await openJob(completed.id);
    const lines = page.locator('.results li');
    await lines.first().waitFor();
    expect(await lines.count()).toBe(3);
    expect(await page.locator('.results .result-type').allTextContents()).toEqual([
      'succeeded',
      'succeeded',
      'succeeded',
    ]);
    await page.getByLabel('Result type').selectOption('errored');
    await page.getByText('No errored results.').waitFor();

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download JSONL' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`${completed.id}-errored.jsonl`);
    await page.getByLabel('Result type').selectOption('');
    const [all] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download JSONL' }).click(),
    ]);
    const text = await readFile(await all.path(), 'utf8');
    expect(text.trim().split('\n')).toHaveLength(3);
    await close();
  });

  it('shows what users gave as text, never as markup', async () => {
    const { page, close } = await openJob(completed.id);
    await page.locator('.metadata summary').click();
    expect(await page.locator('.metadata').textContent()).toContain(
      '<img src=x id=injected onerror=alert(1)>',
    );
    expect(await page.locator('#injected').count()).toBe(0);
    await close();
  });

  it('cancels the job from the page after a confirmation', async () => {
    const job = await server.createJob({ count: 2 });
    await server.waitForJob(job.id, ['processing'], 'waiting');
    const { page, close } = await openJob(job.id);
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Cancel', exact: true }).click();
    await server.waitForJob(job.id, ['cancelled']);
    await page.locator('.summary .status[data-status="cancelled"]').waitFor();
    await close();
  });

  it("shows the API's refusal when an action is refused", async () => {
    const { page, close } = await openJob(completed.id);
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Pause', exact: true }).click();
    const refusal = await server.api('POST', `/v1/jobs/${completed.id}/pause`);
    expect(refusal.status).toBe(409);
    const { error } = (await refusal.json()) as { error: { message: string } };
    const shown = page.locator('.actions [role=alert]');
    await shown.waitFor();
    expect(await shown.textContent()).toContain(error.message);
    await close();
  });
});
