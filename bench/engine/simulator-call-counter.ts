import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Message Batches calls by endpoint. */
export interface BatchCalls {
  create: number;
  retrieve: number;
  list: number;
  results: number;
  cancel: number;
  other: number;
}

export const NO_CALLS: BatchCalls = {
  create: 0,
  retrieve: 0,
  list: 0,
  results: 0,
  cancel: 0,
  other: 0,
};

const BATCHES = '/v1/messages/batches';

function endpointOf(method: string, path: string): keyof BatchCalls {
  if (path === BATCHES) return method === 'POST' ? 'create' : method === 'GET' ? 'list' : 'other';
  if (!path.startsWith(`${BATCHES}/`)) return 'other';
  const rest = path.slice(BATCHES.length + 1).split('/');
  if (rest.length === 1 && method === 'GET') return 'retrieve';
  if (rest[1] === 'results' && method === 'GET') return 'results';
  if (rest[1] === 'cancel' && method === 'POST') return 'cancel';
  return 'other';
}

/** A running counter: point the instances at `url`. */
export interface SimulatorCallCounter {
  readonly url: string;
  /** The calls so far (a copy). */
  calls(): BatchCalls;
  stop(): Promise<void>;
}

/**
 * A pass-through HTTP proxy in front of the simulator that counts the calls by
 * endpoint (the simulator's own stats count them only in total). The Host
 * header goes through unchanged, so the results URLs the simulator hands out
 * point back at the proxy and the downloads are counted too.
 */
export async function startSimulatorCallCounter(
  simulatorUrl: string,
): Promise<SimulatorCallCounter> {
  const target = new URL(simulatorUrl);
  const calls = { ...NO_CALLS };
  const server = createServer((incoming, outgoing) => {
    const path = new URL(incoming.url ?? '/', 'http://proxy').pathname;
    calls[endpointOf(incoming.method ?? 'GET', path)] += 1;
    const forwarded = request(
      {
        host: target.hostname,
        port: target.port,
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forwarded.on('error', () => outgoing.destroy());
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls: () => ({ ...calls }),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** after − before, endpoint by endpoint. */
export function callsBetween(before: BatchCalls, after: BatchCalls): BatchCalls {
  const delta = { ...after };
  for (const key of Object.keys(delta) as (keyof BatchCalls)[]) delta[key] -= before[key];
  return delta;
}
