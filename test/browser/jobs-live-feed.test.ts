import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshFor } from '../../dashboard/jobs/feed-refresh.js';
import { DashboardServer, launchChromium, openPage } from './dashboard-harness.js';

/**
 * A TCP relay between the browser and the server that can cut every connection through it and
 * refuse new ones until restored: the event feed's connection drops as on a real network.
 */
class CuttableRelay {
  readonly #sockets = new Set<Socket>();
  #cut = false;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(target: string): Promise<CuttableRelay> {
    const { hostname, port } = new URL(target);
    let relay: CuttableRelay | undefined;
    const server = createServer((client) => relay?.accept(client, hostname, Number(port)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address() as { port: number };
    relay = new CuttableRelay(server, `http://127.0.0.1:${address.port}`);
    return relay;
  }

  private accept(client: Socket, host: string, port: number): void {
    if (this.#cut) {
      client.destroy();
      return;
    }
    const upstream = tcpConnect({ host, port });
    for (const socket of [client, upstream]) {
      this.#sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => {
        this.#sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  }

  cut(): void {
    this.#cut = true;
    for (const socket of this.#sockets) socket.destroy();
  }

  restore(): void {
    this.#cut = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

interface FeedPage {
  events: { cursor: string; jobId: string; type: string }[];
  next: string;
}

/** The page's requests to the API, by kind, as the browser sent them. */
function recordRequests(page: Page) {
  const urls: URL[] = [];
  page.on('request', (request) => urls.push(new URL(request.url())));
  return {
    follows: () =>
      urls.filter((url) => url.pathname === '/v1/events' && url.searchParams.get('follow')),
    feedPages: () =>
      urls.filter((url) => url.pathname === '/v1/events' && !url.searchParams.has('follow')),
    jobStreams: () => urls.filter((url) => /^\/v1\/jobs\/[^/]+\/stream$/.test(url.pathname)),
    count: () => urls.length,
    since: (count: number) => urls.slice(count),
  };
}

describe('what a burst of feed events reads again', () => {
  /** The list as it opens: every status, newest first. */
  const newestFirst = { status: '', sortBy: 'createdAt' };
  const shown = new Set(['job_a', 'job_b']);

  it('reads each shown job an event was about once, and nothing for jobs not shown', () => {
    const burst = [
      { jobId: 'job_a', type: 'ProgressRecorded' },
      { jobId: 'job_a', type: 'ProgressRecorded' },
      { jobId: 'job_z', type: 'JobCompleted' },
      { jobId: 'job_b', type: 'JobCompleted' },
    ];
    expect(refreshFor(burst, newestFirst, shown)).toEqual({
      kind: 'rows',
      ids: ['job_a', 'job_b'],
    });
    expect(refreshFor([{ jobId: 'job_z', type: 'JobStarted' }], newestFirst, shown)).toEqual({
      kind: 'none',
    });
  });

  it('reads the page again when a job is created or deleted', () => {
    for (const type of ['JobCreated', 'JobDeleted']) {
      const burst = [
        { jobId: 'job_a', type: 'ProgressRecorded' },
        { jobId: 'job_new', type },
      ];
      expect(refreshFor(burst, newestFirst, shown)).toEqual({ kind: 'list' });
    }
  });

  it('reads the page again on any event when a status filter or a moving sort shapes it', () => {
    const burst = [{ jobId: 'job_z', type: 'JobCompleted' }];
    expect(refreshFor(burst, { ...newestFirst, status: 'completed' }, shown)).toEqual({
      kind: 'list',
    });
    expect(refreshFor(burst, { ...newestFirst, sortBy: 'updatedAt' }, shown)).toEqual({
      kind: 'list',
    });
  });
});

describe('the jobs list follows the event feed', () => {
  let server: DashboardServer;
  let relay: CuttableRelay;
  let browser: Browser;

  beforeAll(async () => {
    [server, browser] = await Promise.all([DashboardServer.start(), launchChromium()]);
    relay = await CuttableRelay.start(server.url);
  });
  afterAll(async () => {
    await browser?.close();
    await relay?.close();
    await server?.close();
  });

  /** Until the page has taken in every event the feed shows now; the cursor of the last. */
  async function caughtUp(page: Page): Promise<string> {
    for (;;) {
      const seen = await page.locator('.live-indicator').getAttribute('data-cursor');
      if (seen) {
        const after = await server.apiJson<FeedPage>('GET', `/v1/events?after=${seen}`);
        if (after.events.length === 0) return seen;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('shows a job created over the API and its status as it runs, over one feed connection and no job stream', async () => {
    const { page, problems, context } = await openPage(browser);
    const requests = recordRequests(page);
    await page.goto(`${relay.url}/`);
    await page.locator('.live-indicator[data-state="live"]').waitFor();
    await page.evaluate('window.__sameDocument = true');

    const job = await server.createJob({ count: 3, tags: ['feed'] });
    const row = page.locator(`tbody tr[data-job-id="${job.id}"]`);
    await row.waitFor();
    expect(await page.locator('tbody tr[data-job-id]').first().getAttribute('data-job-id')).toBe(
      job.id,
    );
    await server.waitForJob(job.id, ['processing'], 'waiting');
    await page.locator(`tr[data-job-id="${job.id}"][data-status="processing"]`).waitFor();
    await caughtUp(page);
    const whileRunning = requests.count();

    server.finishBatches();
    await page.locator(`tr[data-job-id="${job.id}"][data-status="completed"]`).waitFor();
    expect(await row.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100');
    await caughtUp(page);
    // The events of a shown job read its row again, not the page.
    const sinceRunning = requests.since(whileRunning);
    expect(
      sinceRunning.filter((url) => url.pathname === `/v1/jobs/${job.id}`).length,
    ).toBeGreaterThan(0);
    expect(sinceRunning.filter((url) => url.pathname === '/v1/jobs')).toEqual([]);

    expect(await page.evaluate('window.__sameDocument')).toBe(true);
    expect(requests.follows()).toHaveLength(1);
    expect(requests.jobStreams()).toEqual([]);
    // Besides the one connection: one read of the feed's end, and no page of its history.
    expect(requests.feedPages().map((url) => url.search)).toEqual(['?after=end']);
    expect(requests.follows()[0]!.searchParams.get('after')).not.toBe('end');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('shows reconnecting when the feed is cut, then resumes after the last event it saw', async () => {
    const { page, problems, context } = await openPage(browser);
    const requests = recordRequests(page);
    await page.goto(`${relay.url}/`);
    const indicator = page.locator('.live-indicator');
    await page.locator('.live-indicator[data-state="live"]').waitFor();
    const before = await server.createJob({ count: 2 });
    await server.waitForJob(before.id, ['processing'], 'waiting');
    const lastSeen = await caughtUp(page);
    expect(requests.follows()).toHaveLength(1);

    relay.cut();
    await page.locator('.live-indicator[data-state="reconnecting"]').waitFor();
    expect(await indicator.textContent()).toContain('reconnecting');
    const during = await server.createJob({ count: 2, tags: ['during-the-cut'] });
    relay.restore();
    await page.locator('.live-indicator[data-state="live"]').waitFor();

    // Every attempt to reconnect asked for what came after the last event the page had seen…
    const reconnects = requests.follows().slice(1);
    expect(reconnects.length).toBeGreaterThan(0);
    for (const url of reconnects) expect(url.searchParams.get('after')).toBe(lastSeen);
    // …which is where the job created during the cut begins: nothing between is skipped.
    const missed = await server.apiJson<FeedPage>('GET', `/v1/events?after=${lastSeen}`);
    expect(missed.events[0]).toMatchObject({ jobId: during.id, type: 'JobCreated' });

    await page.locator(`tbody tr[data-job-id="${during.id}"]`).waitFor();
    await server.waitForJob(during.id, ['processing'], 'waiting');
    server.finishBatches();
    await page.locator(`tr[data-job-id="${during.id}"][data-status="completed"]`).waitFor();
    await page.locator(`tr[data-job-id="${before.id}"][data-status="completed"]`).waitFor();
    expect(requests.jobStreams()).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });
});
