import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { HostResolver } from '../../src/webhooks/guarded-lookup.js';
import { assertWebhookUrlAllowed } from '../../src/webhooks/ssrf-guard.js';
import {
  EMPTY_ALLOW_LIST,
  parseWebhookAllowList,
  type WebhookAllowList,
} from '../../src/webhooks/webhook-allow-list.js';
import {
  createWebhookSender,
  MAX_RESPONSE_EXCERPT_BYTES,
  type SendOutcome,
  type WebhookSender,
} from '../../src/webhooks/webhook-sender.js';
import { fakeDns } from './support/fake-dns.js';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.js';

describe('the webhook sender', () => {
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = await startWebhookReceiver();
  });
  afterEach(() => {
    receiver.received.length = 0;
    receiver.replyWith(() => ({ status: 204 }));
  });
  afterAll(() => receiver.close());

  const send = async (
    url: string,
    allowList: WebhookAllowList,
    options: { resolve?: HostResolver; timeoutMs?: number } = {},
  ): Promise<SendOutcome> => {
    const sender = createWebhookSender({ allowList, ...options });
    try {
      return await sender.send({
        url,
        body: '{"type":"job.completed"}',
        headers: { 'webhook-id': 'msg_1' },
      });
    } finally {
      sender.close();
    }
  };
  const local = parseWebhookAllowList('127.0.0.1');
  const named = (host: string) => receiver.url.replace('127.0.0.1', host);

  it('posts the body as JSON with the given headers and reports the status', async () => {
    receiver.replyWith(() => ({ status: 200, body: 'thanks' }));
    const outcome = await send(receiver.url, local);
    expect(outcome).toMatchObject({ kind: 'response', statusCode: 200, responseExcerpt: 'thanks' });
    expect(receiver.received[0]?.body).toBe('{"type":"job.completed"}');
    expect(receiver.received[0]?.headers).toMatchObject({
      'content-type': 'application/json',
      'webhook-id': 'msg_1',
    });
  });

  it('refuses a host name that resolves to a private address, without connecting', async () => {
    const url = named('hooks.example.com');
    expect(() => assertWebhookUrlAllowed(url, EMPTY_ALLOW_LIST)).not.toThrow();
    const outcome = await send(url, EMPTY_ALLOW_LIST, {
      resolve: fakeDns({ 'hooks.example.com': ['127.0.0.1'] }),
    });
    expect(outcome).toMatchObject({
      kind: 'error',
      refused: true,
      error: expect.stringMatching(/hooks\.example\.com: it resolves to 127\.0\.0\.1 \(loopback/),
    });
    expect(receiver.received).toHaveLength(0);
  });

  it('refuses a host name when any of its addresses is private', async () => {
    const outcome = await send(named('mixed.example.com'), EMPTY_ALLOW_LIST, {
      resolve: fakeDns({ 'mixed.example.com': ['93.184.216.34', '10.0.0.7'] }),
    });
    expect(outcome).toMatchObject({
      kind: 'error',
      error: expect.stringMatching(/10\.0\.0\.7 \(private/),
    });
  });

  it('refuses a host name that resolves to the metadata address as IPv4-mapped IPv6', async () => {
    const outcome = await send(named('rebind.example.com'), EMPTY_ALLOW_LIST, {
      resolve: fakeDns({ 'rebind.example.com': ['::ffff:169.254.169.254'] }),
    });
    expect(outcome).toMatchObject({ kind: 'error', error: expect.stringMatching(/linkLocal/) });
  });

  it('connects to the address the guard checked', async () => {
    const outcome = await send(named('receiver.example.com'), local, {
      resolve: fakeDns({ 'receiver.example.com': ['127.0.0.1'] }),
    });
    expect(outcome).toMatchObject({ kind: 'response', statusCode: 204 });
    expect(receiver.received).toHaveLength(1);
  });

  it('connects to an allow-listed host name whatever it resolves to', async () => {
    const outcome = await send(named('hooks.internal'), parseWebhookAllowList('hooks.internal'), {
      resolve: fakeDns({ 'hooks.internal': ['127.0.0.1'] }),
    });
    expect(outcome).toMatchObject({ kind: 'response', statusCode: 204 });
  });

  it('refuses a private IP literal without connecting', async () => {
    const outcome = await send(receiver.url, EMPTY_ALLOW_LIST);
    expect(outcome).toMatchObject({
      kind: 'error',
      refused: true,
      error: expect.stringMatching(/127\.0\.0\.1 \(loopback/),
    });
    expect(receiver.received).toHaveLength(0);
  });

  it('refuses an IPv4-mapped IPv6 literal of a private address', async () => {
    const outcome = await send(named('[::ffff:127.0.0.1]'), EMPTY_ALLOW_LIST);
    expect(outcome).toMatchObject({ kind: 'error', error: expect.stringMatching(/loopback/) });
    expect(receiver.received).toHaveLength(0);
  });

  it('does not follow a redirect', async () => {
    receiver.replyWith(() => ({ status: 302, headers: { location: '/elsewhere' } }));
    const outcome = await send(receiver.url, local);
    expect(outcome).toMatchObject({ kind: 'response', statusCode: 302 });
    expect(receiver.received).toHaveLength(1);
  });

  it('keeps at most 20 kB of the answer', async () => {
    receiver.replyWith(() => ({ status: 500, body: 'x'.repeat(1024 * 1024) }));
    const outcome = await send(receiver.url, local);
    expect(outcome).toMatchObject({ kind: 'response', statusCode: 500 });
    expect(outcome.kind === 'response' && outcome.responseExcerpt.length).toBe(
      MAX_RESPONSE_EXCERPT_BYTES,
    );
  });

  it('reports the Retry-After header', async () => {
    receiver.replyWith(() => ({ status: 429, headers: { 'retry-after': '120' } }));
    expect(await send(receiver.url, local)).toMatchObject({ statusCode: 429, retryAfter: '120' });
  });

  it('gives up on a receiver that does not answer in time', async () => {
    let release = () => {};
    receiver.replyWith(() => new Promise((resolve) => (release = () => resolve({ status: 200 }))));
    const outcome = await send(receiver.url, local, { timeoutMs: 100 });
    release();
    expect(outcome).toMatchObject({ kind: 'error', timedOut: true });
  });

  it('reports a refused connection as an error', async () => {
    const closed = await startWebhookReceiver();
    await closed.close();
    const outcome = await send(closed.url, local);
    expect(outcome).toMatchObject({
      kind: 'error',
      timedOut: false,
      refused: false,
      error: expect.stringMatching(/ECONNREFUSED/),
    });
  });

  describe('keeping connections alive', () => {
    let own: WebhookReceiver;
    beforeEach(async () => {
      own = await startWebhookReceiver();
    });
    afterEach(() => own.close());

    const sendWith = (sender: WebhookSender, url: string, id = 'msg_1') =>
      sender.send({ url, body: '{"type":"job.completed"}', headers: { 'webhook-id': id } });

    it('sends one message after another over one connection', async () => {
      const sender = createWebhookSender({ allowList: local });
      try {
        for (let i = 1; i <= 5; i++) {
          expect(await sendWith(sender, own.url, `msg_${i}`)).toMatchObject({ statusCode: 204 });
        }
      } finally {
        sender.close();
      }
      expect(own.received.map((r) => r.connection)).toEqual([1, 1, 1, 1, 1]);
      expect(own.connections).toBe(1);
    });

    it('opens no more connections than messages in flight at once', async () => {
      const sender = createWebhookSender({ allowList: local });
      try {
        for (let round = 0; round < 3; round++) {
          const sent = await Promise.all([1, 2, 3].map((i) => sendWith(sender, own.url, `m${i}`)));
          expect(sent.map((o) => o.kind === 'response' && o.statusCode)).toEqual([204, 204, 204]);
        }
      } finally {
        sender.close();
      }
      expect(own.received).toHaveLength(9);
      expect(own.connections).toBe(3);
    });

    it('sends again on a new connection when the receiver dropped the kept-alive one', async () => {
      // The receiver closes the connection on its second request instead of answering: the
      // race of a server closing an idle connection just as it is reused.
      own.replyWith((request) =>
        request.requestOnConnection === 2 ? { status: 0, hangUp: true } : { status: 200 },
      );
      const sender = createWebhookSender({ allowList: local });
      try {
        expect(await sendWith(sender, own.url, 'msg_1')).toMatchObject({ statusCode: 200 });
        expect(await sendWith(sender, own.url, 'msg_2')).toMatchObject({ statusCode: 200 });
      } finally {
        sender.close();
      }
      expect(own.received.map((r) => [r.headers['webhook-id'], r.connection])).toEqual([
        ['msg_1', 1],
        ['msg_2', 1],
        ['msg_2', 2],
      ]);
    });

    it('checks every new connection: an open one to an allowed host does not let another host in', async () => {
      const resolve = fakeDns({
        'hooks.internal': ['127.0.0.1'],
        'evil.example.com': ['127.0.0.1'],
      });
      const sender = createWebhookSender({
        allowList: parseWebhookAllowList('hooks.internal'),
        resolve,
      });
      const at = (host: string) => own.url.replace('127.0.0.1', host);
      try {
        expect(await sendWith(sender, at('hooks.internal'))).toMatchObject({ statusCode: 204 });
        // Same address and port as the kept-alive connection, but another name: looked up and refused.
        expect(await sendWith(sender, at('evil.example.com'))).toMatchObject({
          kind: 'error',
          refused: true,
          error: expect.stringMatching(/evil\.example\.com: it resolves to 127\.0\.0\.1/),
        });
        expect(await sendWith(sender, at('hooks.internal'))).toMatchObject({ statusCode: 204 });
      } finally {
        sender.close();
      }
      expect(own.received).toHaveLength(2);
      expect(own.connections).toBe(1);
    });
  });
});
