import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';

/** An idle kept-alive socket is closed after this long: under Node's server default (5 s). */
const IDLE_SOCKET_MS = 4_000;

/** One agent per scheme, sockets kept alive per host and port. */
export interface KeepAliveAgents {
  forUrl(url: URL): { agent: http.Agent; request: typeof http.request };
  /** Closes every socket, idle ones included. */
  destroy(): void;
}

/**
 * Agents whose every new connection looks its host up through `lookup` (the SSRF guard): a
 * pooled socket was connected through it, and the pool is keyed by host name and port, so no
 * request reaches a socket another host name opened.
 */
export function createKeepAliveAgents(lookup: LookupFunction): KeepAliveAgents {
  const options = { lookup, keepAlive: true, timeout: IDLE_SOCKET_MS };
  const httpAgent = new http.Agent(options);
  const httpsAgent = new https.Agent(options);
  return {
    forUrl: (url) =>
      url.protocol === 'https:'
        ? { agent: httpsAgent, request: https.request }
        : { agent: httpAgent, request: http.request },
    destroy() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}
