import type { LookupAddress } from 'node:dns';
import type { HostResolver } from '../../../src/webhooks/guarded-lookup.js';

/** A DNS of our own: each name resolves to the addresses given; any other name is ENOTFOUND. */
export const fakeDns =
  (records: Record<string, string[]>): HostResolver =>
  async (hostname) => {
    const addresses = records[hostname];
    if (!addresses) throw Object.assign(new Error(`ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map(
      (address): LookupAddress => ({ address, family: address.includes(':') ? 6 : 4 }),
    );
  };
