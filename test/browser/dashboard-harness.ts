import { mkdir } from 'node:fs/promises';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { type HttpServer, startHttpServer } from '../../src/cli/serve/http-server.js';
import { loadConfig } from '../../src/config.js';
import type { JobStatus } from '../../src/domain/job-status.js';
import { apiRoutes } from '../../src/http/api-routes.js';
import type { BatchJobManager } from '../../src/manager/batch-job-manager.js';
import type { BatchJobManagerOptions } from '../../src/manager/manager-options.js';
import { buildTestApp } from '../http/test-app.js';
import { TestBed } from '../support/manager.js';

/** The one tenant's key when keys are on. */
export const API_KEY = { tenant: 'acme', key: 'acme-key-0123456789' } as const;

/** Where screenshots go (git-ignored; CI keeps them as artifacts). */
export const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url).pathname;

/** How a batch takes at the simulator: an hour on its clock, so a job waits until the test moves it. */
const BATCH_LATENCY_MS = 3_600_000;

/** A request item with its own text (a model the simulator and validation accept). */
function request(name: string) {
  return {
    custom_id: `req-${name}`,
    params: {
      model: 'claude-haiku-4-5',
      max_tokens: 64,
      messages: [{ role: 'user', content: `question ${name}` }],
    },
  };
}

/** Debian's Chromium as `.ci/run` launches it. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}

export interface DashboardServerOptions {
  /** Require an API key (default: open mode, tenant `default`). */
  keys?: boolean;
  /** The manager's options beside the test bed's quick ones. */
  manager?: BatchJobManagerOptions;
}

export interface CreatedJob {
  id: string;
  status: JobStatus;
}

/**
 * The app as `batchkeeper serve` mounts it (the dashboard's files and every API module) on a
 * real loopback port, over a fresh Postgres database, a manager, and the simulator as Anthropic.
 * The simulator's batches end only when `finishBatches()` moves its clock.
 */
export class DashboardServer {
  private constructor(
    readonly bed: TestBed,
    readonly manager: BatchJobManager,
    readonly server: HttpServer,
    readonly keys: boolean,
  ) {}

  static async start(options: DashboardServerOptions = {}): Promise<DashboardServer> {
    const bed = await TestBed.open({ latencyMs: BATCH_LATENCY_MS });
    const manager = bed.manager(options.manager);
    const { app } = buildTestApp(bed.database, {
      apiKeys: options.keys ? [API_KEY] : [],
      routes: apiRoutes({ db: bed.database.db, config: loadConfig({}), manager }),
    });
    const server = await startHttpServer(app.fetch, { port: 0, host: '127.0.0.1' });
    return new DashboardServer(bed, manager, server, options.keys ?? false);
  }

  get url(): string {
    return this.server.url;
  }

  /** A call to the API as a client would make it (with the key when keys are on). */
  async api(method: string, path: string, json?: unknown): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.keys) headers.authorization = `Bearer ${API_KEY.key}`;
    if (json !== undefined) headers['content-type'] = 'application/json';
    return fetch(`${this.url}${path}`, {
      method,
      headers,
      ...(json === undefined ? {} : { body: JSON.stringify(json) }),
    });
  }

  async apiJson<T>(method: string, path: string, json?: unknown): Promise<T> {
    const response = await this.api(method, path, json);
    if (!response.ok)
      throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  }

  /** Creates a job of `count` requests over HTTP. */
  createJob(
    options: {
      count?: number;
      tags?: string[];
      metadata?: Record<string, unknown>;
      priority?: string;
      callbackUrl?: string;
    } = {},
  ) {
    const requests = Array.from({ length: options.count ?? 3 }, (_, i) =>
      request(`${Date.now()}-${i}`),
    );
    return this.apiJson<CreatedJob>('POST', '/v1/jobs', {
      requests,
      tags: options.tags ?? [],
      metadata: options.metadata ?? {},
      ...(options.priority ? { priority: options.priority } : {}),
      ...(options.callbackUrl ? { callbackUrl: options.callbackUrl } : {}),
    });
  }

  /** Waits (bounded by the test's timeout) until the API says the job has one of `statuses`. */
  async waitForJob(id: string, statuses: JobStatus[], step?: string): Promise<void> {
    for (;;) {
      const job = await this.apiJson<{ status: JobStatus; step: string | null }>(
        'GET',
        `/v1/jobs/${id}`,
      );
      if (statuses.includes(job.status) && (step === undefined || job.step === step)) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Every batch at the simulator ends: its clock moves past their processing time. */
  finishBatches(): void {
    this.bed.simulator.clock.advance(BATCH_LATENCY_MS + 1000);
  }

  async close(): Promise<void> {
    await this.server.close(0);
    await this.bed.close();
  }
}

export interface PageOptions {
  width?: number;
  height?: number;
  colorScheme?: 'light' | 'dark';
}

/** A fresh browser context (its own session storage) and page. */
export async function openPage(
  browser: Browser,
  options: PageOptions = {},
): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1280, height: options.height ?? 800 },
    colorScheme: options.colorScheme ?? 'light',
  });
  const page = await context.newPage();
  // What the page reports as broken: script errors and CSP refusals (console errors).
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    // A failed load is told below with its URL.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
      problems.push(`console: ${message.text()}`);
    }
  });
  page.on('response', (response) => {
    if (response.status() >= 400)
      problems.push(`${response.status()} ${new URL(response.url()).pathname}`);
  });
  return { context, page, problems };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(ARTIFACTS, { recursive: true });
  const path = `${ARTIFACTS}${name}.png`;
  await page.screenshot({ path, fullPage: false });
  return path;
}
