import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/errors.js';
import type { HostResolver } from '../../src/webhooks/guarded-lookup.js';
import { assertWebhookDestinationAllowed } from '../../src/webhooks/ssrf-guard.js';
import {
  EMPTY_ALLOW_LIST,
  parseWebhookAllowList,
  type WebhookAllowList,
} from '../../src/webhooks/webhook-allow-list.js';
import { createWebhookSender } from '../../src/webhooks/webhook-sender.js';
import { readWebhookUrl } from '../../src/webhooks/webhook-url.js';
import { fakeDns } from './support/fake-dns.js';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.js';

const problemOf = (url: string) => {
  const reading = readWebhookUrl(url);
  return reading.ok ? undefined : reading.problem;
};

describe('reading a webhook URL', () => {
  it.each([
    ['credentials', 'http://user:pw@hooks.example.com/x', /credentials/],
    ['a user name alone', 'https://user@hooks.example.com/x', /credentials/],
    ['a CR/LF', 'https://hooks.example.com/a\r\nX-Injected: 1', /CR \(\\u000D\)/],
    ['a LF', 'https://hooks.example.com/a\nb', /LF/],
    ['a NUL', 'https://hooks.example.com/\u0000', /NUL/],
    ['a tab', 'https://hooks.\texample.com/', /tab/],
    ['a space', 'https://hooks.example.com/a b', /space/],
    ['a backslash', 'https:\\\\hooks.example.com/', /backslash/],
    ['three slashes', 'http:///x', /host is missing/],
    ['no slashes', 'http:hooks.example.com/x', /host is missing/],
    ['a relative path', '/hooks/batch', /not an absolute URL/],
    ['another scheme', 'ftp://example.com/', /scheme must be http or https/],
  ])('refuses %s', (_, url, problem) => {
    expect(problemOf(url)).toMatch(problem);
  });

  it.each([
    ['a plain URL', 'https://hooks.example.com/batch'],
    ['a port, a query and an @ in the path', 'http://hooks.example.com:8080/a@b?c=d#e'],
    ['an IPv6 literal', 'https://[2606:4700:4700::1111]/'],
  ])('accepts %s', (_, url) => {
    expect(problemOf(url)).toBeUndefined();
  });
});

describe('a webhook destination, at registration and at delivery', () => {
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = await startWebhookReceiver();
  });
  afterAll(() => receiver.close());

  const registered = async (url: string, allowList: WebhookAllowList, resolve: HostResolver) => {
    try {
      await assertWebhookDestinationAllowed(url, allowList, { resolve });
      return 'accepted';
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      expect(error.issues).toEqual([{ path: 'url', message: expect.any(String) }]);
      return 'refused';
    }
  };
  const delivered = async (url: string, allowList: WebhookAllowList, resolve: HostResolver) => {
    const sender = createWebhookSender({ allowList, resolve });
    try {
      const outcome = await sender.send({ url, body: '{}', headers: {} });
      if (outcome.kind === 'response') return 'accepted';
      expect(outcome.refused).toBe(true);
      return 'refused';
    } finally {
      sender.close();
    }
  };
  const at = (host: string) => receiver.url.replace('127.0.0.1', host);

  it.each([
    ['localhost with 127.0.0.1 allow-listed', 'localhost', '127.0.0.1', ['127.0.0.1'], 'accepted'],
    ['localhost with nothing allow-listed', 'localhost', '', ['127.0.0.1'], 'refused'],
    [
      'a name with one address the allow-list leaves closed',
      'localhost',
      '127.0.0.1',
      ['127.0.0.1', '::1'],
      'refused',
    ],
    [
      'a public-looking name that resolves to loopback',
      'hooks.example.com',
      '',
      ['127.0.0.1'],
      'refused',
    ],
    ['a name the allow-list names', 'hooks.internal', 'hooks.internal', ['127.0.0.1'], 'accepted'],
  ])('judges %s the same way both times', async (_, host, allow, addresses, expected) => {
    const allowList = parseWebhookAllowList(allow);
    const resolve = fakeDns({ [host]: addresses });
    expect(await registered(at(host), allowList, resolve)).toBe(expected);
    expect(await delivered(at(host), allowList, resolve)).toBe(expected);
  });

  it('refuses a name under .localhost that does not resolve: it is loopback', async () => {
    expect(await registered('http://api.localhost/', EMPTY_ALLOW_LIST, fakeDns({}))).toBe(
      'refused',
    );
  });

  it('accepts another name that does not resolve yet; each delivery judges it again', async () => {
    expect(await registered('https://not-yet.example.com/', EMPTY_ALLOW_LIST, fakeDns({}))).toBe(
      'accepted',
    );
  });
});
