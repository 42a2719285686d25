import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnthropicGateway } from '../../src/anthropic/anthropic-gateway.js';
import { type RunningSimulator, startSimulator } from '../../src/anthropic/simulator/index.js';
import { createTestDatabaseUrl, dropTestDatabase, testPostgresUrl } from '../support/database.js';
import { request } from '../support/manager.js';

const run = promisify(execFile);
const BIN = new URL('../../bin/batchkeeper', import.meta.url).pathname;
const HOUR = 60 * 60_000;

describe.skipIf(!testPostgresUrl())('batchkeeper reconcile', () => {
  let simulator: RunningSimulator;
  let databaseUrl: string;
  beforeAll(async () => {
    simulator = await startSimulator({ latencyMs: HOUR });
    databaseUrl = await createTestDatabaseUrl();
  });
  afterAll(async () => {
    await simulator.stop();
    await dropTestDatabase(databaseUrl);
  });

  /** The command as a process, our variables cleared but for `env`. */
  const reconcile = (args: string[], env: Record<string, string>) => {
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(
        ([name]) =>
          !name.startsWith('BATCHKEEPER_') &&
          !name.startsWith('ANTHROPIC_') &&
          name !== 'DATABASE_URL',
      ),
    );
    return run(process.execPath, [BIN, 'reconcile', ...args], { env: { ...inherited, ...env } });
  };

  it('prints as JSON the orphans it found and what it did with them', async () => {
    const gateway = new AnthropicGateway({ apiKey: 'test-key', baseURL: simulator.url });
    const stray = await gateway.createBatch([{ ...request('x'), custom_id: 'not-ours' }]);
    const { stdout } = await reconcile(['--json', '--min-age-ms', '0', '--cancel-orphans'], {
      DATABASE_URL: databaseUrl,
      ANTHROPIC_API_KEY: 'test-key',
      ANTHROPIC_BASE_URL: simulator.url,
    });
    expect(JSON.parse(stdout)).toMatchObject({
      listed: 1,
      known: 0,
      orphans: [{ batchId: stray.id, action: 'cancelled', requestCount: 1 }],
    });
    expect((await gateway.getBatchStatus(stray.id)).processing_status).not.toBe('in_progress');
  }, 60_000);

  it('refuses to run without ANTHROPIC_API_KEY (exit 2)', async () => {
    const failed = await reconcile([], { DATABASE_URL: databaseUrl }).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed).toMatchObject({ code: 2 });
    expect((failed as { stderr: string }).stderr).toContain('ANTHROPIC_API_KEY');
  }, 60_000);
});
