import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WebhookUnbrandedRequiredHeaders } from 'standardwebhooks';

/** One request as the receiver saw it. */
export interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  body: string;
  /** The three Standard Webhooks headers, for `Webhook.verify`. */
  webhookHeaders: WebhookUnbrandedRequiredHeaders;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/** Decides each answer; it may wait (a promise), to hold requests open. */
export type ReplyHandler = (request: ReceivedRequest) => Reply | Promise<Reply>;

/** A real HTTP server on a real port (127.0.0.1) that keeps what it receives. */
export interface WebhookReceiver {
  readonly url: string;
  readonly port: number;
  readonly received: ReceivedRequest[];
  /** How every later request is answered (default: 204). */
  replyWith(handler: ReplyHandler): void;
  /** Stops listening: connections are refused until `up()`. */
  down(): Promise<void>;
  /** Listens again on the same port (nothing to do when listening). */
  up(): Promise<void>;
  close(): Promise<void>;
}

/** Starts a receiver on a free port of 127.0.0.1. */
export async function startWebhookReceiver(path = '/hook'): Promise<WebhookReceiver> {
  const received: ReceivedRequest[] = [];
  let handler: ReplyHandler = () => ({ status: 204 });
  let server: Server | undefined;
  let port = 0;

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      if (server) return resolve();
      server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', async () => {
          const request: ReceivedRequest = {
            headers: req.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            webhookHeaders: {
              'webhook-id': String(req.headers['webhook-id']),
              'webhook-timestamp': String(req.headers['webhook-timestamp']),
              'webhook-signature': String(req.headers['webhook-signature']),
            },
          };
          received.push(request);
          const reply = await handler(request);
          res.writeHead(reply.status, reply.headers);
          res.end(reply.body);
        });
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as AddressInfo).port;
        resolve();
      });
    });

  const stop = () =>
    new Promise<void>((resolve) => {
      if (!server) return resolve();
      server.close(() => resolve());
      server.closeAllConnections();
      server = undefined;
    });

  await listen();
  return {
    get url() {
      return `http://127.0.0.1:${port}${path}`;
    },
    get port() {
      return port;
    },
    received,
    replyWith(next) {
      handler = next;
    },
    down: stop,
    up: listen,
    close: stop,
  };
}
