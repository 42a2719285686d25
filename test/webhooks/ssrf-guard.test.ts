import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/errors.js';
import { assertWebhookUrlAllowed } from '../../src/webhooks/ssrf-guard.js';
import { EMPTY_ALLOW_LIST, parseWebhookAllowList } from '../../src/webhooks/webhook-allow-list.js';

const refused = (url: string, allow = EMPTY_ALLOW_LIST) => {
  try {
    assertWebhookUrlAllowed(url, allow);
    return undefined;
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return error;
  }
};

describe('the SSRF guard on a webhook URL', () => {
  it.each([
    ['IPv4 loopback', 'http://127.0.0.1:8080/hook'],
    ['another IPv4 loopback', 'http://127.1.2.3/'],
    ['a decimal IPv4 loopback', 'http://2130706433/'],
    ['a hex IPv4 loopback', 'http://0x7f.0.0.1/'],
    ['the unspecified IPv4 address', 'http://0.0.0.0/'],
    ['RFC 1918 10/8', 'http://10.0.0.5/'],
    ['RFC 1918 172.16/12', 'https://172.31.255.1/'],
    ['RFC 1918 192.168/16', 'http://192.168.1.1/'],
    ['the cloud metadata address', 'http://169.254.169.254/latest/meta-data/'],
    ['IPv4 link-local', 'http://169.254.1.1/'],
    ['CGNAT', 'http://100.64.0.1/'],
    ['IPv4 multicast', 'http://224.0.0.1/'],
    ['IPv4 broadcast', 'http://255.255.255.255/'],
    ['IPv4 reserved (240/4)', 'http://240.0.0.1/'],
    ['IPv4 documentation (TEST-NET-1)', 'http://192.0.2.10/'],
    ['IPv4 documentation (TEST-NET-3)', 'http://203.0.113.7/'],
    ['IPv4 benchmarking', 'http://198.18.0.1/'],
    ['IPv6 loopback', 'http://[::1]/'],
    ['the unspecified IPv6 address', 'http://[::]/'],
    ['IPv6 unique-local', 'http://[fd12:3456::1]/'],
    ['IPv6 link-local', 'http://[fe80::1]/'],
    ['IPv6 multicast', 'http://[ff02::1]/'],
    ['IPv6 documentation', 'http://[2001:db8::1]/'],
    ['IPv4-mapped IPv6 loopback', 'http://[::ffff:127.0.0.1]/'],
    ['IPv4-mapped IPv6 metadata', 'http://[::ffff:169.254.169.254]/'],
    ['IPv4-mapped IPv6 in hex', 'http://[::ffff:a00:1]/'],
    ['NAT64 of a private address', 'http://[64:ff9b::10.0.0.1]/'],
  ])('refuses %s (%s)', (_, url) => {
    expect(refused(url)?.issues).toEqual([{ path: 'url', message: expect.any(String) }]);
  });

  it.each([
    ['file', 'file:///etc/passwd'],
    ['ftp', 'ftp://example.com/'],
    ['gopher', 'gopher://example.com/'],
    ['javascript', 'javascript:alert(1)'],
  ])('refuses the %s scheme', (_, url) => {
    expect(refused(url)?.message).toMatch(/scheme must be http or https/);
  });

  it('refuses what is not an absolute URL', () => {
    expect(refused('/hooks/batch')?.message).toMatch(/not an absolute URL/);
  });

  it.each([
    ['a public host name', 'https://hooks.example.com/batch'],
    ['a public IPv4 address', 'http://93.184.216.34/'],
    ['a public IPv6 address', 'https://[2606:4700:4700::1111]/'],
    ['NAT64 of a public address', 'http://[64:ff9b::8.8.8.8]/'],
  ])('accepts %s', (_, url) => {
    expect(refused(url)).toBeUndefined();
  });

  it('names the range it refused and how to open it', () => {
    expect(refused('http://169.254.169.254/')?.message).toMatch(
      /linkLocal address.*BATCHKEEPER_WEBHOOK_ALLOW/,
    );
  });

  it('accepts an address the allow-list names', () => {
    expect(refused('http://127.0.0.1:9000/', parseWebhookAllowList('127.0.0.1'))).toBeUndefined();
  });

  it('accepts an IPv4-mapped form of an allow-listed address', () => {
    const allow = parseWebhookAllowList('127.0.0.1');
    expect(refused('http://[::ffff:127.0.0.1]:9000/', allow)).toBeUndefined();
  });

  it('accepts an address inside an allow-listed range and refuses one outside it', () => {
    const allow = parseWebhookAllowList('10.20.0.0/16');
    expect(refused('http://10.20.3.4/', allow)).toBeUndefined();
    expect(refused('http://10.21.0.1/', allow)).toBeInstanceOf(ValidationError);
  });

  it('reads an allow-list of hosts, addresses, IPv6 and CIDRs', () => {
    const allow = parseWebhookAllowList(' 127.0.0.1 , [::1], fd00::/8, Hooks.Internal. ');
    expect([...allow.hosts]).toEqual(['hooks.internal']);
    expect(allow.ranges.map(([address, bits]) => `${address.toString()}/${bits}`)).toEqual([
      '127.0.0.1/32',
      '::1/128',
      'fd00::/8',
    ]);
  });

  it('reads an allow-list given as a list of entries', () => {
    const allow = parseWebhookAllowList(['127.0.0.1', 'hooks.internal']);
    expect(refused('http://127.0.0.1/', allow)).toBeUndefined();
    expect([...allow.hosts]).toEqual(['hooks.internal']);
  });

  it('rejects an allow-list entry that is neither host, address nor range', () => {
    expect(() => parseWebhookAllowList('127.0.0.1, http://x/')).toThrow(/http:\/\/x\//);
  });
});
