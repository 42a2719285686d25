import { type Clock, systemClock } from '../domain/clock.js';
import type { HostResolver } from './guarded-lookup.js';
import {
  createAesGcmSecretCipher,
  parseEncryptionKey,
  plaintextSecretCipher,
  type SecretCipher,
} from './secret-cipher.js';
import { parseWebhookAllowList, type WebhookAllowList } from './webhook-allow-list.js';

/**
 * What the webhook functions need besides the database: time, the SSRF allow-list, the secret
 * cipher. Built once by a composition root (serve from its config, the manager from its
 * options) and passed down; nothing in src/webhooks reads the environment.
 */
export interface WebhookSettings {
  clock: Clock;
  allowList: WebhookAllowList;
  cipher: SecretCipher;
  /**
   * Resolves webhook host names when they are registered, as deliveries resolve them (default:
   * the system resolver).
   */
  resolve?: HostResolver | undefined;
}

/** The configured values WebhookSettings are built from. */
export interface WebhookSettingsInput {
  /** Hosts and CIDRs a webhook may target although private (BATCHKEEPER_WEBHOOK_ALLOW). */
  allow?: string | readonly string[] | undefined;
  /** Encrypts stored secrets (BATCHKEEPER_ENCRYPTION_KEY); absent: plaintext. */
  encryptionKey?: string | undefined;
  /** (default: the system clock) */
  clock?: Clock | undefined;
}

/**
 * Builds the settings once: parses the allow-list and derives the cipher (a passphrase key
 * costs an scrypt run, so build them at start, not per call).
 * @example createWebhookSettings({ allow: config.webhookAllow, encryptionKey: config.encryptionKey })
 */
export function createWebhookSettings(input: WebhookSettingsInput = {}): WebhookSettings {
  return {
    clock: input.clock ?? systemClock,
    allowList: parseWebhookAllowList(input.allow),
    cipher: secretCipherFor(input.encryptionKey),
  };
}

/** AES-256-GCM when a key is given, plaintext otherwise. */
export function secretCipherFor(encryptionKey: string | undefined): SecretCipher {
  return encryptionKey?.trim()
    ? createAesGcmSecretCipher(parseEncryptionKey(encryptionKey))
    : plaintextSecretCipher;
}
