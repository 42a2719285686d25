import ipaddr from 'ipaddr.js';
import { normalizeAddress } from './webhook-allow-list.js';

// Only global unicast IPv6 (2000::/3) is public; ipaddr.js calls anything it has no name for "unicast".
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');
// NAT64 (RFC 6052 well-known prefix) and SIIT (RFC 6145) carry an IPv4 address in their last 32 bits.
const NAT64_WELL_KNOWN = ipaddr.parseCIDR('64:ff9b::/96');

/**
 * The name of the special range an address is in ("loopback", "private", "linkLocal",
 * "carrierGradeNat", "multicast", "reserved", "uniqueLocal", ...), or undefined when it is a
 * public unicast address. IPv4 embedded in IPv6 (mapped, NAT64, SIIT) is judged as IPv4.
 * @example blockedRangeOf(ipaddr.parse('::ffff:169.254.169.254')) // 'linkLocal'
 */
export function blockedRangeOf(address: ipaddr.IPv4 | ipaddr.IPv6): string | undefined {
  const normalized = normalizeAddress(address);
  if (normalized.kind() === 'ipv4') {
    const range = (normalized as ipaddr.IPv4).range();
    return range === 'unicast' ? undefined : range;
  }
  const v6 = normalized as ipaddr.IPv6;
  const range = v6.range();
  if (range === 'rfc6145' || (range === 'rfc6052' && v6.match(NAT64_WELL_KNOWN))) {
    return blockedRangeOf(embeddedIPv4(v6));
  }
  if (range !== 'unicast') return range;
  return v6.match(GLOBAL_UNICAST_V6) ? undefined : 'reserved';
}

function embeddedIPv4(address: ipaddr.IPv6): ipaddr.IPv4 {
  const bytes = address.toByteArray().slice(12);
  return new ipaddr.IPv4(bytes);
}
