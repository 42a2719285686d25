import ipaddr from 'ipaddr.js';
import { ValidationError } from '../domain/errors.js';
import { blockedRangeOf } from './address-policy.js';
import { type HostResolver, systemResolver } from './guarded-lookup.js';
import { BlockedAddressError } from './webhook.errors.js';
import {
  isAddressAllowListed,
  isHostAllowListed,
  type WebhookAllowList,
} from './webhook-allow-list.js';
import { readWebhookUrl } from './webhook-url.js';

const ALLOW_HINT = 'BATCHKEEPER_WEBHOOK_ALLOW can open chosen hosts and ranges';

/**
 * The refusal for connecting to `address` on behalf of `host`, or undefined when it is allowed:
 * a public address, an allow-listed range, or a host the allow-list names.
 */
export function findAddressRefusal(
  host: string,
  address: string,
  allowList: WebhookAllowList,
): BlockedAddressError | undefined {
  if (isHostAllowListed(host, allowList)) return undefined;
  if (!ipaddr.isValid(address)) return new BlockedAddressError(host, address, 'unparseable');
  const parsed = ipaddr.parse(address);
  const range = blockedRangeOf(parsed);
  if (range === undefined || isAddressAllowListed(parsed, allowList)) return undefined;
  return new BlockedAddressError(host, address, range);
}

/**
 * Throws a ValidationError naming `field` unless `url` reads as a webhook URL (readWebhookUrl)
 * and, when its host is an IP literal, the address is not a private, loopback, link-local,
 * CGNAT, multicast, reserved or documentation one (IPv4 or IPv6, IPv4-mapped included) that
 * `allowList` leaves closed. Host names are judged by what they resolve to:
 * assertWebhookDestinationAllowed at registration, the guarded lookup at every connection.
 * @example assertWebhookUrlAllowed('https://hooks.example.com/batch', EMPTY_ALLOW_LIST)
 */
export function assertWebhookUrlAllowed(
  url: string,
  allowList: WebhookAllowList,
  field = 'url',
): URL {
  const reading = readWebhookUrl(url);
  if (!reading.ok) throw refusal(field, reading.problem);
  const refused = findUrlHostRefusal(reading.url, allowList);
  if (refused) throw refusal(field, `${refused.message}; ${ALLOW_HINT}`);
  return reading.url;
}

/**
 * assertWebhookUrlAllowed, then a host name is resolved (with the resolver deliveries use)
 * and refused when any address it has is one the allow-list leaves closed: the rule every
 * delivery applies, so what is accepted here is what a delivery may reach. `localhost` and
 * names under it that do not resolve are loopback (RFC 6761); another name that does not
 * resolve (yet) is accepted, and judged again at each delivery.
 */
export async function assertWebhookDestinationAllowed(
  url: string,
  allowList: WebhookAllowList,
  options: { field?: string | undefined; resolve?: HostResolver | undefined } = {},
): Promise<URL> {
  const field = options.field ?? 'url';
  const parsed = assertWebhookUrlAllowed(url, allowList, field);
  const host = hostOf(parsed);
  if (ipaddr.isValid(host) || isHostAllowListed(host, allowList)) return parsed;
  let addresses: readonly { address: string }[];
  try {
    addresses = await (options.resolve ?? systemResolver)(host);
  } catch {
    addresses = [];
  }
  const name = host.toLowerCase().replace(/\.$/, '');
  if (addresses.length === 0 && (name === 'localhost' || name.endsWith('.localhost'))) {
    addresses = [{ address: '127.0.0.1' }];
  }
  for (const { address } of addresses) {
    const refused = findAddressRefusal(host, address, allowList);
    if (refused) throw refusal(field, `${refused.message}; ${ALLOW_HINT}`);
  }
  return parsed;
}

/**
 * The refusal for a URL's host when it is an IP literal, judged as an address. Node connects to
 * IP literals without a DNS lookup, so this check is the only one they get; names go through
 * the guarded lookup.
 */
export function findUrlHostRefusal(
  url: URL,
  allowList: WebhookAllowList,
): BlockedAddressError | undefined {
  const host = hostOf(url);
  return ipaddr.isValid(host) ? findAddressRefusal(host, host, allowList) : undefined;
}

function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

function refusal(field: string, message: string): ValidationError {
  return new ValidationError(`invalid webhook ${field}: ${message}`, [{ path: field, message }]);
}
