import net from 'node:net';
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { afterEach, describe, expect, it } from 'vitest';
import { type HttpServer, startHttpServer } from '../../src/cli/serve/http-server.js';
import {
  DEFAULT_HTTP_SERVER_LIMITS,
  type HttpServerLimits,
} from '../../src/cli/serve/http-server.options.js';
import { ConfigError, loadConfig } from '../../src/config.js';

/** Short limits, so that each rule acts within a test; the rules, not the numbers, are tested. */
const SHORT: HttpServerLimits = {
  headersTimeoutMs: 300,
  minBodyBytesPerSecond: 1000,
  bodyRateGraceMs: 300,
  keepAliveTimeoutMs: 300,
  maxConnections: 100,
};

/** A body upload (read whole), a plain GET, and an event stream that sends until told to stop. */
function testApp(stream: { sent: number; stop: boolean }) {
  return (
    new Hono()
      // A body cut short rejects its read: answered quietly (the connection is gone anyway).
      .onError((_, c) => c.text('cut', 500))
      .post('/upload', async (c) => c.text(`got ${(await c.req.arrayBuffer()).byteLength}`))
      .post('/upload-later', async (c) => {
        // The server is slow to read, not the client: its backpressure must not count.
        await new Promise((resolve) => setTimeout(resolve, 1500));
        return c.text(`got ${(await c.req.arrayBuffer()).byteLength}`);
      })
      .get('/hello', (c) => c.text('hello'))
      .get('/events', (c) =>
        streamSSE(c, async (sse) => {
          while (!stream.stop) {
            stream.sent += 1;
            await sse.writeSSE({ event: 'tick', data: String(stream.sent) });
            await sse.sleep(50);
          }
        }),
      )
  );
}

let server: HttpServer | undefined;
const sockets: net.Socket[] = [];
const stream = { sent: 0, stop: false };

async function serve(limits: Partial<HttpServerLimits>, onSlowBody?: () => void) {
  server = await startHttpServer(testApp(stream).fetch, {
    port: 0,
    host: '127.0.0.1',
    limits: { ...SHORT, ...limits },
    onSlowBody,
  });
  return new URL(server.url);
}

/** A raw connection that gathers what the server sends and knows when the server closed it. */
function connect(url: URL) {
  const socket = net.connect(Number(url.port), url.hostname);
  sockets.push(socket);
  let received = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (received += chunk));
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const connected = new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return {
    socket,
    connected,
    closed,
    received: () => received,
    /** Resolves once the server's answer holds `text`. */
    until: (text: string) =>
      new Promise<void>((resolve, reject) => {
        const look = () => {
          if (received.includes(text)) return resolve();
          if (socket.destroyed) return reject(new Error(`closed before "${text}": ${received}`));
        };
        socket.on('data', look);
        socket.once('close', look);
        look();
      }),
  };
}

/** Writes `piece` every `everyMs` until the connection closes. */
function trickle(socket: net.Socket, piece: string, everyMs: number) {
  const timer = setInterval(() => {
    if (!socket.destroyed) socket.write(piece);
  }, everyMs);
  socket.once('close', () => clearInterval(timer));
  return timer;
}

afterEach(async () => {
  stream.stop = true;
  for (const socket of sockets.splice(0)) socket.destroy();
  await server?.close(0);
  server = undefined;
  stream.sent = 0;
  stream.stop = false;
});

describe('the HTTP server against slow clients', () => {
  it('answers 408 and closes a connection whose headers trickle past the header timeout', async () => {
    const client = connect(await serve({}));
    await client.connected;
    client.socket.write('GET /hello HTTP/1.1\r\nHost: x\r\n');
    trickle(client.socket, 'X-Slow: y\r\n', 50);
    await client.closed;
    expect(client.received()).toMatch(/^HTTP\/1\.1 408/);
  });

  it('answers headers sent in time', async () => {
    const client = connect(await serve({}));
    client.socket.write('GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    await client.closed;
    expect(client.received()).toMatch(/^HTTP\/1\.1 200[\s\S]*hello$/);
  });

  it('cuts a request whose body trickles slower than the minimum rate', async () => {
    let cuts = 0;
    const client = connect(await serve({}, () => (cuts += 1)));
    client.socket.write(
      'POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\nContent-Type: application/octet-stream\r\n\r\n',
    );
    // 20 bytes every 50 ms is 400 bytes/s, under the 1000 the server asks for.
    trickle(client.socket, 'x'.repeat(20), 50);
    await client.closed;
    expect(client.received()).not.toMatch(/got/);
    expect(cuts).toBe(1);
  });

  it('reads a body that keeps the minimum rate, past the grace period', async () => {
    const client = connect(await serve({}));
    const size = 6000;
    client.socket.write(
      `POST /upload HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: ${size}\r\n\r\n`,
    );
    // 200 bytes every 20 ms is 10 kB/s; the whole body takes ~600 ms, twice the grace.
    let sent = 0;
    const timer = setInterval(() => {
      const piece = Math.min(200, size - sent);
      if (piece > 0) client.socket.write('x'.repeat(piece));
      sent += piece;
    }, 20);
    await client.until(`got ${size}`);
    clearInterval(timer);
  });

  it('does not count against a body the time the server itself is not reading it', async () => {
    // 100 kB/s asked for: a client that sent everything at once, stalled by the server for
    // 1.5 s, would be under it if the server's own stall counted.
    const client = connect(await serve({ minBodyBytesPerSecond: 100_000 }));
    const size = 1024 * 1024;
    client.socket.write(
      `POST /upload-later HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: ${size}\r\n\r\n`,
    );
    client.socket.write(Buffer.alloc(size, 'x'));
    await client.until(`got ${size}`);
  });

  it('refuses a connection past the cap and still serves the ones it holds', async () => {
    const url = await serve({ maxConnections: 2, headersTimeoutMs: 10_000 });
    const first = connect(url);
    const second = connect(url);
    await Promise.all([first.connected, second.connected]);
    // Each connection is accepted by the time it has answered once.
    first.socket.write('GET /hello HTTP/1.1\r\nHost: x\r\n\r\n');
    second.socket.write('GET /hello HTTP/1.1\r\nHost: x\r\n\r\n');
    await Promise.all([first.until('hello'), second.until('hello')]);

    const third = connect(url);
    third.socket.write('GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    await third.closed;
    expect(third.received()).toBe('');

    first.socket.write('GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    await first.closed;
    expect(first.received().match(/hello/g)).toHaveLength(2);
  });

  it('closes an idle kept-alive connection after the keep-alive timeout', async () => {
    const client = connect(await serve({ headersTimeoutMs: 10_000 }));
    client.socket.write('GET /hello HTTP/1.1\r\nHost: x\r\n\r\n');
    await client.until('hello');
    await client.closed;
    expect(client.received().match(/HTTP\/1\.1 200/g)).toHaveLength(1);
  });

  it('keeps an event stream open for longer than every timeout while the client reads it', async () => {
    const client = connect(await serve({}));
    client.socket.write('GET /events HTTP/1.1\r\nHost: x\r\n\r\n');
    await client.until('data: 1\n');
    // 40 events 50 ms apart: four times the header, grace and keep-alive limits (300 ms).
    await client.until('data: 40\n');
    expect(client.socket.destroyed).toBe(false);
    expect(client.received()).toMatch(/^HTTP\/1\.1 200/);
  });
});

describe('the slow-client limits serve reads from the environment', () => {
  it('defaults to the documented values', () => {
    expect(loadConfig({}).httpServer).toEqual(DEFAULT_HTTP_SERVER_LIMITS);
    expect(DEFAULT_HTTP_SERVER_LIMITS).toEqual({
      headersTimeoutMs: 15_000,
      minBodyBytesPerSecond: 4096,
      bodyRateGraceMs: 10_000,
      keepAliveTimeoutMs: 5_000,
      maxConnections: 1000,
    });
  });

  it('reads each BATCHKEEPER_HTTP_* variable', () => {
    expect(
      loadConfig({
        BATCHKEEPER_HTTP_HEADERS_TIMEOUT_MS: '20000',
        BATCHKEEPER_HTTP_MIN_BODY_BYTES_PER_SECOND: '0',
        BATCHKEEPER_HTTP_BODY_RATE_GRACE_MS: '5000',
        BATCHKEEPER_HTTP_KEEP_ALIVE_TIMEOUT_MS: '65000',
        BATCHKEEPER_HTTP_MAX_CONNECTIONS: '50',
      }).httpServer,
    ).toEqual({
      headersTimeoutMs: 20_000,
      minBodyBytesPerSecond: 0,
      bodyRateGraceMs: 5000,
      keepAliveTimeoutMs: 65_000,
      maxConnections: 50,
    });
  });

  it('names a bad value', () => {
    expect(() => loadConfig({ BATCHKEEPER_HTTP_MAX_CONNECTIONS: '0' })).toThrow(ConfigError);
    expect(() => loadConfig({ BATCHKEEPER_HTTP_MAX_CONNECTIONS: '0' })).toThrow(
      /BATCHKEEPER_HTTP_MAX_CONNECTIONS/,
    );
  });
});
