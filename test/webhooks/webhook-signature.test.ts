import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/errors.js';
import {
  assertWebhookSecretValid,
  generateWebhookSecret,
} from '../../src/webhooks/webhook-secret.js';
import { signWebhook } from '../../src/webhooks/webhook-signature.js';

const body = '{"type":"job.completed","timestamp":"2030-01-01T00:00:00.000Z","data":{"id":"j1"}}';

describe('webhook signatures', () => {
  it('verify with the Standard Webhooks reference library', () => {
    const secret = generateWebhookSecret();
    const headers = signWebhook({ id: 'msg_1', timestamp: new Date(), body, secrets: [secret] });
    expect(new Webhook(secret).verify(body, { ...headers })).toEqual(JSON.parse(body));
  });

  it('carry the id, the attempt time in seconds and a v1 signature', () => {
    const timestamp = new Date('2030-01-01T00:00:07.900Z');
    const headers = signWebhook({
      id: 'msg_1',
      timestamp,
      body,
      secrets: [generateWebhookSecret()],
    });
    expect(headers['webhook-id']).toBe('msg_1');
    expect(headers['webhook-timestamp']).toBe('1893456007');
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
  });

  it('do not verify with another secret', () => {
    const headers = signWebhook({
      id: 'msg_1',
      timestamp: new Date(),
      body,
      secrets: [generateWebhookSecret()],
    });
    expect(() => new Webhook(generateWebhookSecret()).verify(body, { ...headers })).toThrow(
      WebhookVerificationError,
    );
  });

  it('do not verify a changed body', () => {
    const secret = generateWebhookSecret();
    const headers = signWebhook({ id: 'msg_1', timestamp: new Date(), body, secrets: [secret] });
    expect(() => new Webhook(secret).verify(body.replace('j1', 'j2'), { ...headers })).toThrow(
      WebhookVerificationError,
    );
  });

  it('verify with either secret while two sign, space-separated', () => {
    const [next, previous] = [generateWebhookSecret(), generateWebhookSecret()];
    const headers = signWebhook({
      id: 'msg_1',
      timestamp: new Date(),
      body,
      secrets: [next, previous],
    });
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(() => new Webhook(next).verify(body, { ...headers })).not.toThrow();
    expect(() => new Webhook(previous).verify(body, { ...headers })).not.toThrow();
  });
});

describe('webhook secrets', () => {
  it('are generated as whsec_ and base64 of 32 random bytes', () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);
    expect(generateWebhookSecret()).not.toBe(secret);
  });

  it.each([
    ['24 bytes', `whsec_${Buffer.alloc(24, 1).toString('base64')}`],
    ['64 bytes', `whsec_${Buffer.alloc(64, 1).toString('base64')}`],
  ])('are accepted with %s', (_, secret) => {
    expect(() => assertWebhookSecretValid(secret)).not.toThrow();
  });

  it.each([
    ['no prefix', Buffer.alloc(32, 1).toString('base64')],
    ['23 bytes', `whsec_${Buffer.alloc(23, 1).toString('base64')}`],
    ['65 bytes', `whsec_${Buffer.alloc(65, 1).toString('base64')}`],
    ['no base64', 'whsec_not base64 at all!'],
    ['a plain word', 'hunter2'],
  ])('are refused with %s', (_, secret) => {
    expect(() => assertWebhookSecretValid(secret)).toThrow(ValidationError);
  });
});
