import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabaseUrl, dropTestDatabase, testPostgresUrl } from '../support/database.js';
import { runCli } from './run-cli.js';
import { CHILD_TIMEOUT_MS, type ServeProcess, startServe } from './serve-process.js';

/** What the receiver was sent: each message's webhook-id and type. */
interface Received {
  id: string;
  type: string;
}

// The tests run in order against one serve and one receiver: each reads what the one before made.
describe('the webhooks command group against a running server', () => {
  let dir: string;
  let databaseEnv: Record<string, string>;
  let server: ServeProcess;
  let receiver: Server;
  let receiverUrl: string;
  let env: Record<string, string>;
  const received: Received[] = [];
  let webhookId: string;
  let deliveryId: string;

  async function receivedCount(count: number): Promise<void> {
    while (received.length < count) await sleep(20);
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'batchkeeper-webhooks-cli-'));
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString('utf8');
      });
      req.on('end', () => {
        received.push({
          id: String(req.headers['webhook-id']),
          type: (JSON.parse(body) as { type: string }).type,
        });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    databaseEnv = testPostgresUrl()
      ? { DATABASE_URL: await createTestDatabaseUrl() }
      : { BATCHKEEPER_DATA_DIR: join(dir, 'data') };
    server = startServe({
      ...databaseEnv,
      PORT: '0',
      HOST: '127.0.0.1',
      BATCHKEEPER_WEBHOOK_ALLOW: '127.0.0.1',
    });
    env = { BATCHKEEPER_URL: await server.listening() };
  }, CHILD_TIMEOUT_MS);
  afterAll(async () => {
    if (server?.child.exitCode === null) server.child.kill('SIGKILL');
    await new Promise((resolve) => receiver?.close(resolve));
    if (databaseEnv?.DATABASE_URL) await dropTestDatabase(databaseEnv.DATABASE_URL);
    await rm(dir, { recursive: true, force: true });
  });

  it(
    'create subscribes a URL and prints its secret once, alone on stdout',
    async () => {
      const run = await runCli(
        ['webhooks', 'create', receiverUrl, '--event', 'job.completed', '--event', 'job.failed'],
        env,
      );
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^whsec_[A-Za-z0-9+/=]+\n$/);
      webhookId = /^created (wh_\w+): /.exec(run.stderr)![1]!;
      expect(run.stderr).toContain(
        `${receiverUrl} receives job.completed, job.failed of every job; its signing secret, shown only this once:`,
      );
    },
    CHILD_TIMEOUT_MS,
  );

  it(
    'create refuses an event type there is none of (exit 2), subscribing nothing',
    async () => {
      const run = await runCli(['webhooks', 'create', receiverUrl, '--event', 'job.done'], env);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain("error: option '--event <type>' argument 'job.done' is invalid");
    },
    CHILD_TIMEOUT_MS,
  );

  it(
    'list shows the subscription: URL, events, scope, when, status',
    async () => {
      const run = await runCli(['webhooks', 'list'], env);
      expect(run.code).toBe(0);
      const [header, row, more] = run.stdout.trim().split('\n');
      expect(header).toMatch(/^ID\s+URL\s+EVENTS\s+JOB\s+CREATED\s+STATUS$/);
      expect(row).toMatch(
        new RegExp(
          `^${webhookId}\\s+${receiverUrl}\\s+job.completed,job.failed\\s+every job\\s+(just now|\\d+ seconds ago)\\s+active$`,
        ),
      );
      expect(more).toBeUndefined();
    },
    CHILD_TIMEOUT_MS,
  );

  it(
    'ping sends a test message through the outbox, and deliveries shows it delivered',
    async () => {
      const run = await runCli(['webhooks', 'ping', webhookId], env);
      expect(run.code).toBe(0);
      deliveryId = /^queued (\S+);/.exec(run.stdout)![1]!;
      await receivedCount(1);
      expect(received[0]).toEqual({ id: deliveryId, type: 'webhook.ping' });

      // The relay records the attempt just after the receiver answered.
      let deliveries = await runCli(['webhooks', 'deliveries', '--webhook', webhookId], env);
      while (!deliveries.stdout.includes('delivered ')) {
        deliveries = await runCli(['webhooks', 'deliveries', '--webhook', webhookId], env);
      }
      expect(deliveries.code).toBe(0);
      const [header, row] = deliveries.stdout.trim().split('\n');
      expect(header).toMatch(/^ID\s+STATUS\s+TYPE\s+JOB\s+ATTEMPTS\s+LAST$/);
      expect(row).toMatch(
        new RegExp(
          `^${deliveryId}\\s+delivered\\s+webhook.ping\\s+-\\s+1\\s+delivered (just now|\\d+ seconds ago)$`,
        ),
      );
    },
    CHILD_TIMEOUT_MS,
  );

  it(
    'retry sends a delivered message again with the same webhook-id',
    async () => {
      const run = await runCli(['webhooks', 'retry', deliveryId], env);
      expect(run.code).toBe(0);
      expect(run.stdout).toBe(
        `${deliveryId} (webhook.ping to ${receiverUrl}) is due again now, after 1 attempt\n`,
      );
      await receivedCount(2);
      expect(received[1]).toEqual({ id: deliveryId, type: 'webhook.ping' });
    },
    CHILD_TIMEOUT_MS,
  );

  it(
    'deliveries --json prints the page whole, attempts included',
    async () => {
      const run = await runCli(['webhooks', 'deliveries', '--json', '--limit', '5'], env);
      const page = JSON.parse(run.stdout) as {
        deliveries: { id: string; attempts: unknown[] }[];
        nextCursor: string | null;
      };
      expect(page.deliveries.map((d) => d.id)).toEqual([deliveryId]);
      expect(page.deliveries[0]!.attempts.length).toBeGreaterThanOrEqual(1);
    },
    CHILD_TIMEOUT_MS,
  );

  it(
    'delete removes the subscription; deleting it again is not found (exit 3)',
    async () => {
      const deleted = await runCli(['webhooks', 'delete', webhookId], env);
      expect(deleted).toMatchObject({
        code: 0,
        stdout: `deleted ${webhookId}; nothing more is sent to it\n`,
      });
      const again = await runCli(['webhooks', 'delete', webhookId], env);
      expect(again.code).toBe(3);
      expect(again.stderr).toMatch(/^error: /);
      const list = await runCli(['webhooks', 'list'], env);
      expect(list.stdout).toBe('no webhooks; add one with: batchkeeper webhooks create URL\n');
    },
    CHILD_TIMEOUT_MS,
  );
});
