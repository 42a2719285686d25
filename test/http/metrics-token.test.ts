import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthMode, ConfigError, loadConfig } from '../../src/config.js';
import { createApp } from '../../src/http/app.js';
import { createLogger } from '../../src/observability/logger.js';
import type { DatabaseHandle } from '../../src/store/create-database.js';
import { openTestDatabase } from '../support/database.js';

const errorOf = async (response: Response) =>
  ((await response.json()) as { error: { message: string } }).error;

const METRICS_TOKEN = 'metrics-token-0123456789';
const API_KEY = 'acme-key-0123456789abcdef';

describe('GET /metrics and its token', () => {
  let database: DatabaseHandle;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(async () => {
    await database.close();
  });

  function app(authMode: AuthMode, metricsToken?: string) {
    return createApp({
      db: database.db,
      logger: createLogger({ level: 'silent' }),
      config: {
        apiKeys: [{ tenant: 'acme', key: API_KEY }],
        http: { maxJsonBodyBytes: 1024 * 1024 },
        metricsToken,
      },
      authMode,
    });
  }
  const scrape = (authorization?: string) =>
    authorization ? { headers: { authorization } } : undefined;

  it('refuses an anonymous scrape when auth is keys', async () => {
    const response = await app('keys', METRICS_TOKEN).request('/metrics');
    expect(response.status).toBe(401);
    expect(await response.text()).not.toMatch(/batchkeeper_/);
  });

  it('serves the metrics to the metrics token when auth is keys', async () => {
    const response = await app('keys', METRICS_TOKEN).request(
      '/metrics',
      scrape(`Bearer ${METRICS_TOKEN}`),
    );
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/^# HELP /m);
  });

  it("refuses a tenant's API key: the metrics sum every tenant", async () => {
    const response = await app('keys', METRICS_TOKEN).request(
      '/metrics',
      scrape(`Bearer ${API_KEY}`),
    );
    expect(response.status).toBe(401);
    expect((await errorOf(response)).message).toBe('invalid metrics token');
  });

  it('refuses every scrape when auth is keys and no metrics token is set, and says how to set one', async () => {
    const response = await app('keys').request('/metrics', scrape(`Bearer ${API_KEY}`));
    expect(response.status).toBe(401);
    expect((await errorOf(response)).message).toMatch(/BATCHKEEPER_METRICS_TOKEN/);
  });

  it('stays open without a token in open mode (served on loopback only)', async () => {
    const response = await app('open').request('/metrics');
    expect(response.status).toBe(200);
  });
});

describe('BATCHKEEPER_METRICS_TOKEN', () => {
  it('is read by serve, and unset by default', () => {
    expect(loadConfig({}).metricsToken).toBeUndefined();
    expect(loadConfig({ BATCHKEEPER_METRICS_TOKEN: METRICS_TOKEN }).metricsToken).toBe(
      METRICS_TOKEN,
    );
  });

  it('must be at least 16 characters', () => {
    expect(() => loadConfig({ BATCHKEEPER_METRICS_TOKEN: 'short' })).toThrow(ConfigError);
  });
});
