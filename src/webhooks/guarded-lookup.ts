import { promises as dns, type LookupAddress, type LookupOptions } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { findAddressRefusal } from './ssrf-guard.js';
import type { WebhookAllowList } from './webhook-allow-list.js';

/** Resolves a host name to every address it has (tests pass their own to simulate DNS). */
export type HostResolver = (hostname: string) => Promise<readonly LookupAddress[]>;

/** The operating system's resolver (getaddrinfo), every address in its own order. */
export const systemResolver: HostResolver = (hostname) =>
  dns.lookup(hostname, { all: true, verbatim: true });

/**
 * A `lookup` for an http(s) Agent that resolves, then refuses the connection when any
 * address is not allowed: the check runs on the address connected to, so a name that
 * resolves to a private address (DNS rebinding included) is never reached.
 */
export function createGuardedLookup(
  allowList: WebhookAllowList,
  resolve: HostResolver = systemResolver,
): LookupFunction {
  return (hostname: string, options: LookupOptions, callback) => {
    const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
    resolve(hostname).then(
      (resolved) => {
        const addresses = resolved.filter((a) => !family || family === a.family);
        const refusal = addresses
          .map((a) => findAddressRefusal(hostname, a.address, allowList))
          .find((r) => r !== undefined);
        const first = addresses[0];
        if (refusal) return callback(refusal, '', 0);
        if (!first) return callback(notFound(hostname), '', 0);
        if (options.all) return callback(null, addresses as LookupAddress[]);
        return callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    );
  };
}

function notFound(hostname: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), {
    code: 'ENOTFOUND',
    hostname,
  });
}
