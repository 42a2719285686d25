import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';

/** A listening HTTP server. */
export interface HttpServer {
  /** e.g. `http://127.0.0.1:8080`, with the port actually bound (PORT=0 picks one). */
  url: string;
  /**
   * Stops accepting connections, lets requests in flight finish, and after
   * `graceMs` cuts the connections still open (event streams never end by themselves).
   */
  close(graceMs: number): Promise<void>;
}

/** Serves `fetch` (a Hono app's) on host:port; rejects if the address cannot be bound. */
export async function startHttpServer(
  fetch: (request: Request) => Response | Promise<Response>,
  options: { port: number; host: string },
): Promise<HttpServer> {
  const server = createAdaptorServer({ fetch }) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: (graceMs) =>
      new Promise<void>((resolve) => {
        const cut = setTimeout(() => server.closeAllConnections(), graceMs);
        server.close(() => {
          clearTimeout(cut);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}
