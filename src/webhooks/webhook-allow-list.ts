import ipaddr from 'ipaddr.js';

/** Hosts and address ranges a webhook may reach although they are private (BATCHKEEPER_WEBHOOK_ALLOW). */
export interface WebhookAllowList {
  /** Lower-case host names, allowed whatever they resolve to. */
  readonly hosts: ReadonlySet<string>;
  /** CIDR ranges; a single address is a /32 or /128. */
  readonly ranges: readonly (readonly [ipaddr.IPv4 | ipaddr.IPv6, number])[];
}

/** Nothing private is reachable. */
export const EMPTY_ALLOW_LIST: WebhookAllowList = { hosts: new Set(), ranges: [] };

/**
 * Parses host names, addresses and CIDR ranges, comma-separated or as a list.
 * @example parseWebhookAllowList('127.0.0.1, 10.20.0.0/16, [::1], hooks.internal')
 */
export function parseWebhookAllowList(
  raw: string | readonly string[] | undefined,
): WebhookAllowList {
  const hosts = new Set<string>();
  const ranges: [ipaddr.IPv4 | ipaddr.IPv6, number][] = [];
  const entries = typeof raw === 'string' ? raw.split(',') : (raw ?? []);
  for (const entry of entries) {
    const value = entry.trim().toLowerCase();
    if (value === '') continue;
    const unbracketed = value.replace(/^\[(.*)\](\/\d+)?$/, '$1$2');
    if (ipaddr.isValidCIDR(unbracketed)) {
      ranges.push(normalizeRange(ipaddr.parseCIDR(unbracketed)));
    } else if (ipaddr.isValid(unbracketed)) {
      const address = normalizeAddress(ipaddr.parse(unbracketed));
      ranges.push([address, address.kind() === 'ipv4' ? 32 : 128]);
    } else if (/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?$/.test(value)) {
      hosts.add(normalizeHost(value));
    } else {
      throw new RangeError(
        `BATCHKEEPER_WEBHOOK_ALLOW: "${entry.trim()}" is not a host, address or CIDR`,
      );
    }
  }
  return { hosts, ranges };
}

/** True when the allow-list names this host. */
export function isHostAllowListed(host: string, allowList: WebhookAllowList): boolean {
  return allowList.hosts.has(normalizeHost(host));
}

/** True when an allow-listed range holds this address (IPv4-mapped IPv6 compares as IPv4). */
export function isAddressAllowListed(
  address: ipaddr.IPv4 | ipaddr.IPv6,
  allowList: WebhookAllowList,
): boolean {
  const normalized = normalizeAddress(address);
  return allowList.ranges.some(
    ([network, bits]) => network.kind() === normalized.kind() && normalized.match(network, bits),
  );
}

/** `::ffff:a.b.c.d` is a.b.c.d: both the guard and the allow-list see the IPv4 address. */
export function normalizeAddress(address: ipaddr.IPv4 | ipaddr.IPv6): ipaddr.IPv4 | ipaddr.IPv6 {
  return address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()
    ? (address as ipaddr.IPv6).toIPv4Address()
    : address;
}

function normalizeRange([network, bits]: [ipaddr.IPv4 | ipaddr.IPv6, number]): [
  ipaddr.IPv4 | ipaddr.IPv6,
  number,
] {
  const isMapped = network.kind() === 'ipv6' && (network as ipaddr.IPv6).isIPv4MappedAddress();
  return isMapped && bits >= 96 ? [normalizeAddress(network), bits - 96] : [network, bits];
}

function normalizeHost(host: string): string {
  return host.toLowerCase().replace(/\.$/, '');
}
