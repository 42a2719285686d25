import { type Clock, systemClock } from '../domain/clock.js';
import {
  createAesGcmSecretCipher,
  parseEncryptionKey,
  plaintextSecretCipher,
  type SecretCipher,
} from './secret-cipher.js';
import { parseWebhookAllowList, type WebhookAllowList } from './webhook-allow-list.js';

/** What the webhook functions need besides the database: time, the SSRF allow-list, the secret cipher. */
export interface WebhookSettings {
  clock: Clock;
  allowList: WebhookAllowList;
  cipher: SecretCipher;
}

const cache = new Map<string, WebhookSettings>();

/**
 * Settings from BATCHKEEPER_WEBHOOK_ALLOW and BATCHKEEPER_ENCRYPTION_KEY, with the system
 * clock; built once per distinct pair of values (a passphrase key costs an scrypt run).
 */
export function webhookSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): WebhookSettings {
  const allow = env.BATCHKEEPER_WEBHOOK_ALLOW ?? '';
  const key = env.BATCHKEEPER_ENCRYPTION_KEY ?? '';
  const cacheKey = JSON.stringify([allow, key]);
  let settings = cache.get(cacheKey);
  if (!settings) {
    settings = {
      clock: systemClock,
      allowList: parseWebhookAllowList(allow),
      cipher: secretCipherFor(key),
    };
    cache.set(cacheKey, settings);
  }
  return settings;
}

/** AES-256-GCM when a key is given, plaintext otherwise. */
export function secretCipherFor(encryptionKey: string | undefined): SecretCipher {
  return encryptionKey?.trim()
    ? createAesGcmSecretCipher(parseEncryptionKey(encryptionKey))
    : plaintextSecretCipher;
}
