import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

function errorOf(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('uses the documented defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      databaseUrl: undefined,
      dataDir: './.data',
      anthropic: { apiKey: undefined, baseURL: undefined },
      apiKeys: [],
      webhookAllow: [],
      logLevel: 'info',
      manager: {
        maxConcurrentJobs: 5,
        maxQueueSize: 1000,
        defaultPriority: 3,
        deduplicationWindowMs: 300_000,
        defaultTimeoutMs: 86_400_000,
        retryAttempts: 3,
        retryDelayMs: 5000,
      },
      http: { maxJsonBodyBytes: 10 * 1024 * 1024 },
    });
  });

  it('names this instance after its host and process by default', () => {
    expect(loadConfig({}).instanceId).toMatch(new RegExp(`-${process.pid}$`));
  });

  it('treats a blank variable as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: ' ' })).toMatchObject({
      port: 8080,
      databaseUrl: undefined,
    });
  });

  it('reads tenant:key pairs from BATCHKEEPER_API_KEYS', () => {
    const config = loadConfig({
      BATCHKEEPER_API_KEYS: 'acme:acme-key-0123456789, globex:key:with:colons-0123',
    });
    expect(config.apiKeys).toEqual([
      { tenant: 'acme', key: 'acme-key-0123456789' },
      { tenant: 'globex', key: 'key:with:colons-0123' },
    ]);
  });

  it('leaves the auth mode to be decided at start when BATCHKEEPER_AUTH is unset', () => {
    expect(loadConfig({}).auth).toBeUndefined();
  });

  it('reads BATCHKEEPER_AUTH as open or keys, in any case', () => {
    expect(loadConfig({ BATCHKEEPER_AUTH: 'open' }).auth).toBe('open');
    expect(loadConfig({ BATCHKEEPER_AUTH: ' KEYS ' }).auth).toBe('keys');
  });

  it('refuses a BATCHKEEPER_AUTH that is neither open nor keys', () => {
    expect(errorOf({ BATCHKEEPER_AUTH: 'closed' }).issues).toEqual([
      { variable: 'BATCHKEEPER_AUTH', message: 'must be one of open, keys' },
    ]);
  });

  it('reads the webhook allow-list as a comma list', () => {
    expect(
      loadConfig({ BATCHKEEPER_WEBHOOK_ALLOW: '127.0.0.1, 10.0.0.0/8,' }).webhookAllow,
    ).toEqual(['127.0.0.1', '10.0.0.0/8']);
  });

  it('takes the default priority as a name or a number', () => {
    expect(loadConfig({ BATCHKEEPER_DEFAULT_PRIORITY: 'critical' }).manager.defaultPriority).toBe(
      1,
    );
    expect(loadConfig({ BATCHKEEPER_DEFAULT_PRIORITY: '4' }).manager.defaultPriority).toBe(4);
  });

  it('reads the lease, scheduler, polling and reconciliation timings (defaults as the library’s)', () => {
    expect(loadConfig({}).manager).toMatchObject({
      leaseTtlMs: 30_000,
      schedulerIntervalMs: 250,
      pollIntervalMs: 1000,
      pollMaxMs: 30_000,
      reconcileAfterMs: 10_000,
      submitTimeoutMs: 180_000,
    });
    const manager = loadConfig({
      BATCHKEEPER_LEASE_TTL_MS: '3000',
      BATCHKEEPER_SCHEDULER_INTERVAL_MS: '50',
      BATCHKEEPER_POLL_INTERVAL_MS: '200',
      BATCHKEEPER_POLL_MAX_MS: '1000',
      BATCHKEEPER_RECONCILE_AFTER_MS: '2000',
      BATCHKEEPER_SUBMIT_TIMEOUT_MS: '5000',
    }).manager;
    expect(manager).toMatchObject({
      leaseTtlMs: 3000,
      schedulerIntervalMs: 50,
      pollIntervalMs: 200,
      pollMaxMs: 1000,
      reconcileAfterMs: 2000,
      submitTimeoutMs: 5000,
    });
  });

  it.each([
    ['PORT', '80a'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://localhost/db'],
    ['ANTHROPIC_BASE_URL', 'not a url'],
    ['BATCHKEEPER_API_KEYS', 'acme'],
    ['BATCHKEEPER_API_KEYS', 'acme:short'],
    ['LOG_LEVEL', 'loud'],
    ['BATCHKEEPER_MAX_CONCURRENT_JOBS', '0'],
    ['BATCHKEEPER_MAX_QUEUE_SIZE', '-1'],
    ['BATCHKEEPER_DEFAULT_PRIORITY', 'URGENT'],
    ['BATCHKEEPER_DEDUPLICATION_WINDOW_MS', '1.5'],
    ['BATCHKEEPER_DEFAULT_TIMEOUT_MS', 'forever'],
    ['BATCHKEEPER_RETRY_ATTEMPTS', '1000'],
    ['BATCHKEEPER_RETRY_DELAY_MS', 'soon'],
    ['BATCHKEEPER_LEASE_TTL_MS', '50'],
  ])('refuses %s=%s with an error naming the variable', (variable, value) => {
    const error = errorOf({ [variable]: value });
    expect(error.issues.map((issue) => issue.variable)).toEqual([variable]);
    expect(error.message).toContain(`${variable}: `);
  });

  it('names every bad variable at once', () => {
    const error = errorOf({ PORT: 'x', LOG_LEVEL: 'y' });
    expect(error.issues.map((issue) => issue.variable).sort()).toEqual(['LOG_LEVEL', 'PORT']);
  });
});
