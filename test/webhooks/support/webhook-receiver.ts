import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { WebhookUnbrandedRequiredHeaders } from 'standardwebhooks';

/** One request as the receiver saw it. */
export interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  body: string;
  /** Which of the receiver's connections it came on (1, 2, ...), and its place on it (1, 2, ...). */
  connection: number;
  requestOnConnection: number;
  /** The three Standard Webhooks headers, for `Webhook.verify`. */
  webhookHeaders: WebhookUnbrandedRequiredHeaders;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Close the connection instead of answering (a receiver that drops a kept-alive socket). */
  hangUp?: boolean;
}

/** Decides each answer; it may wait (a promise), to hold requests open. */
export type ReplyHandler = (request: ReceivedRequest) => Reply | Promise<Reply>;

/** A real HTTP server on a real port (127.0.0.1) that keeps what it receives. */
export interface WebhookReceiver {
  readonly url: string;
  readonly port: number;
  readonly received: ReceivedRequest[];
  /** Connections accepted since the receiver started (kept-alive ones count once). */
  readonly connections: number;
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
  let connections = 0;
  const socketNumbers = new WeakMap<Socket, { connection: number; requests: number }>();

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      if (server) return resolve();
      server = createServer((req, res) => {
        const socket = socketNumbers.get(req.socket)!;
        socket.requests += 1;
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', async () => {
          const request: ReceivedRequest = {
            headers: req.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            connection: socket.connection,
            requestOnConnection: socket.requests,
            webhookHeaders: {
              'webhook-id': String(req.headers['webhook-id']),
              'webhook-timestamp': String(req.headers['webhook-timestamp']),
              'webhook-signature': String(req.headers['webhook-signature']),
            },
          };
          received.push(request);
          const reply = await handler(request);
          if (reply.hangUp) return req.socket.destroy();
          res.writeHead(reply.status, reply.headers);
          res.end(reply.body);
        });
      });
      server.on('connection', (socket) => {
        connections += 1;
        socketNumbers.set(socket, { connection: connections, requests: 0 });
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
    get connections() {
      return connections;
    },
    replyWith(next) {
      handler = next;
    },
    down: stop,
    up: listen,
    close: stop,
  };
}
