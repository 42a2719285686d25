import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { WebhookSecretUnavailableError } from './webhook.errors.js';

const SEALED_PREFIX = 'enc:v1:';
const KEY_BYTES = 32;
const IV_BYTES = 12;
// A fixed salt is enough here: it only stretches an operator's passphrase into a key.
const PASSPHRASE_SALT = 'batchkeeper/webhook-secrets/v1';

/** How webhook secrets are kept at rest. `context` (the endpoint id) binds a box to its row. */
export interface SecretCipher {
  /** True when secrets are stored encrypted. */
  readonly encrypts: boolean;
  seal(secret: string, context: string): string;
  open(stored: string, context: string): string;
}

/** Stores secrets as they are (no BATCHKEEPER_ENCRYPTION_KEY); refuses to open sealed ones. */
export const plaintextSecretCipher: SecretCipher = {
  encrypts: false,
  seal: (secret) => secret,
  open(stored) {
    if (stored.startsWith(SEALED_PREFIX)) {
      throw new WebhookSecretUnavailableError(
        'the webhook secret is encrypted and BATCHKEEPER_ENCRYPTION_KEY is not set',
      );
    }
    return stored;
  },
};

/** AES-256-GCM with a random 96-bit IV per secret; `enc:v1:<iv>.<tag>.<ciphertext>` in base64. */
export function createAesGcmSecretCipher(key: Buffer): SecretCipher {
  if (key.length !== KEY_BYTES) throw new RangeError(`an AES-256 key has ${KEY_BYTES} bytes`);
  return {
    encrypts: true,
    seal(secret, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
      const parts = [iv, cipher.getAuthTag(), ciphertext].map((b) => b.toString('base64'));
      return SEALED_PREFIX + parts.join('.');
    },
    open(stored, context) {
      // Secrets stored before the key was configured stay readable.
      if (!stored.startsWith(SEALED_PREFIX)) return stored;
      const [iv, tag, ciphertext] = stored
        .slice(SEALED_PREFIX.length)
        .split('.')
        .map((part) => Buffer.from(part, 'base64'));
      if (!iv || !tag || !ciphertext) {
        throw new WebhookSecretUnavailableError('the stored webhook secret is malformed');
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, iv);
        decipher.setAAD(Buffer.from(context, 'utf8'));
        decipher.setAuthTag(tag);
        return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
      } catch (cause) {
        throw new WebhookSecretUnavailableError(
          'the webhook secret cannot be decrypted with BATCHKEEPER_ENCRYPTION_KEY',
          { cause },
        );
      }
    },
  };
}

/**
 * A 32-byte key from BATCHKEEPER_ENCRYPTION_KEY: 64 hex digits or base64 of 32 bytes are
 * used as they are; any other non-empty string is a passphrase stretched with scrypt.
 */
export function parseEncryptionKey(raw: string): Buffer {
  const value = raw.trim();
  if (value === '') throw new RangeError('the encryption key is empty');
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  if (/^[A-Za-z0-9+/]{43}=$/.test(value)) return Buffer.from(value, 'base64');
  return scryptSync(value, PASSPHRASE_SALT, KEY_BYTES);
}
