import ipaddr from 'ipaddr.js';
import { ValidationError } from '../domain/errors.js';
import { blockedRangeOf } from './address-policy.js';
import { BlockedAddressError } from './webhook.errors.js';
import {
  isAddressAllowListed,
  isHostAllowListed,
  type WebhookAllowList,
} from './webhook-allow-list.js';

const MAX_URL_LENGTH = 2048;

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
 * Throws a ValidationError unless `url` is an http(s) URL whose host is not a private,
 * loopback, link-local, CGNAT, multicast, reserved or documentation address (IPv4 or IPv6,
 * IPv4-mapped included) nor `localhost`, unless `allowList` opens it. Host names are checked
 * again, on the address actually connected to, when a webhook is sent.
 * @example assertWebhookUrlAllowed('https://hooks.example.com/batch', EMPTY_ALLOW_LIST)
 */
export function assertWebhookUrlAllowed(url: string, allowList: WebhookAllowList): URL {
  const refuse = (message: string) =>
    new ValidationError(`invalid webhook url: ${message}`, [{ path: 'url', message }]);
  if (url.length > MAX_URL_LENGTH) throw refuse(`longer than ${MAX_URL_LENGTH} characters`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw refuse('not an absolute URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw refuse(`the scheme must be http or https, not ${parsed.protocol.replace(/:$/, '')}`);
  }
  const refusal = findUrlHostRefusal(parsed, allowList);
  if (refusal) {
    throw refuse(`${refusal.message}; BATCHKEEPER_WEBHOOK_ALLOW can open chosen hosts and ranges`);
  }
  return parsed;
}

/**
 * The refusal for a URL's host as written: an IP literal judged as an address, `localhost`
 * and `*.localhost` as loopback. Node connects to IP literals without a DNS lookup, so this
 * check is the only one they get.
 */
export function findUrlHostRefusal(
  url: URL,
  allowList: WebhookAllowList,
): BlockedAddressError | undefined {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (ipaddr.isValid(host)) return findAddressRefusal(host, host, allowList);
  const name = host.toLowerCase().replace(/\.$/, '');
  if (
    (name === 'localhost' || name.endsWith('.localhost')) &&
    !isHostAllowListed(name, allowList)
  ) {
    return new BlockedAddressError(host, host, 'loopback');
  }
  return undefined;
}
