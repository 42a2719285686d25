import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createAesGcmSecretCipher,
  parseEncryptionKey,
  plaintextSecretCipher,
} from '../../src/webhooks/secret-cipher.js';
import { WebhookSecretUnavailableError } from '../../src/webhooks/webhook.errors.js';
import { generateWebhookSecret } from '../../src/webhooks/webhook-secret.js';

describe('the secret cipher', () => {
  const cipher = createAesGcmSecretCipher(randomBytes(32));
  const secret = generateWebhookSecret();

  it('opens what it sealed', () => {
    expect(cipher.open(cipher.seal(secret, 'wh_1'), 'wh_1')).toBe(secret);
  });

  it('keeps no trace of the secret in what it stores', () => {
    const sealed = cipher.seal(secret, 'wh_1');
    expect(sealed).toMatch(/^enc:v1:/);
    expect(sealed).not.toContain(secret.slice(6, 20));
  });

  it('seals the same secret differently each time', () => {
    expect(cipher.seal(secret, 'wh_1')).not.toBe(cipher.seal(secret, 'wh_1'));
  });

  it('refuses a box moved to another endpoint', () => {
    expect(() => cipher.open(cipher.seal(secret, 'wh_1'), 'wh_2')).toThrow(
      WebhookSecretUnavailableError,
    );
  });

  it('refuses a box sealed with another key', () => {
    const other = createAesGcmSecretCipher(randomBytes(32));
    expect(() => other.open(cipher.seal(secret, 'wh_1'), 'wh_1')).toThrow(/cannot be decrypted/);
  });

  it('still reads secrets stored before encryption was turned on', () => {
    expect(cipher.open(secret, 'wh_1')).toBe(secret);
  });

  it('without a key, stores secrets as they are and refuses sealed ones', () => {
    expect(plaintextSecretCipher.seal(secret, 'wh_1')).toBe(secret);
    expect(() => plaintextSecretCipher.open(cipher.seal(secret, 'wh_1'), 'wh_1')).toThrow(
      /BATCHKEEPER_ENCRYPTION_KEY is not set/,
    );
  });
});

describe('the encryption key', () => {
  it('is taken as it is from 64 hex digits', () => {
    const key = randomBytes(32);
    expect(parseEncryptionKey(key.toString('hex'))).toEqual(key);
  });

  it('is taken as it is from base64 of 32 bytes', () => {
    const key = randomBytes(32);
    expect(parseEncryptionKey(key.toString('base64'))).toEqual(key);
  });

  it('is derived from any other passphrase, the same each time', () => {
    const key = parseEncryptionKey('correct horse battery staple');
    expect(key).toHaveLength(32);
    expect(parseEncryptionKey('correct horse battery staple')).toEqual(key);
    expect(parseEncryptionKey('another passphrase')).not.toEqual(key);
  });
});
