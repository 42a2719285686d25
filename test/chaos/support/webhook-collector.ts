import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import type { SeededRandom } from './seeded-random.js';

/** One delivery attempt that reached the collector. */
export interface CollectedDelivery {
  token: string;
  webhookId: string;
  /** The signature checked out with the job's own secret. */
  verified: boolean;
  type: string | undefined;
  jobId: string | undefined;
  status: string | undefined;
  body: string;
  /** What the collector answered. */
  answered: number;
}

/**
 * The callbacks' receiver: verifies every request with the job's secret
 * (the standardwebhooks reference library) and keeps it. The first attempt
 * of a `failFirstRate` share of messages is answered 503, so the relay's
 * redeliveries are seen too.
 */
export class WebhookCollector {
  readonly deliveries: CollectedDelivery[] = [];
  readonly #secrets = new Map<string, string>();
  readonly #failed = new Set<string>();
  #server: Server | undefined;
  #port = 0;

  constructor(
    private readonly random: SeededRandom,
    private readonly failFirstRate: number,
  ) {}

  get baseUrl(): string {
    return `http://127.0.0.1:${this.#port}/hooks`;
  }

  expect(token: string, secret: string): void {
    this.#secrets.set(token, secret);
  }

  async start(): Promise<void> {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const token = (req.url ?? '').split('/').at(-1) ?? '';
        const webhookId = String(req.headers['webhook-id']);
        const delivery = this.#verify(token, webhookId, body, {
          'webhook-id': webhookId,
          'webhook-timestamp': String(req.headers['webhook-timestamp']),
          'webhook-signature': String(req.headers['webhook-signature']),
        });
        const fail =
          delivery.verified &&
          !this.#failed.has(webhookId) &&
          this.random.next() < this.failFirstRate;
        if (fail) this.#failed.add(webhookId);
        delivery.answered = fail ? 503 : 204;
        this.deliveries.push(delivery);
        res.writeHead(delivery.answered);
        res.end();
      });
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    this.#port = (this.#server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      if (!this.#server) return resolve();
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  #verify(
    token: string,
    webhookId: string,
    body: string,
    headers: Record<string, string>,
  ): CollectedDelivery {
    const secret = this.#secrets.get(token);
    const delivery: CollectedDelivery = {
      token,
      webhookId,
      verified: false,
      type: undefined,
      jobId: undefined,
      status: undefined,
      body,
      answered: 0,
    };
    if (!secret) return delivery;
    try {
      const payload = new Webhook(secret).verify(body, headers) as {
        type: string;
        data: { id: string; status: string };
      };
      return {
        ...delivery,
        verified: true,
        type: payload.type,
        jobId: payload.data.id,
        status: payload.data.status,
      };
    } catch {
      return delivery;
    }
  }
}
