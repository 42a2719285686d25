import { randomBytes } from 'node:crypto';
import { WEBHOOK_SECRET_PREFIX } from '../domain/webhook-secret.js';

// What a secret must be is one rule, in the domain (the job config's callback secret uses it too).
export { assertWebhookSecretValid } from '../domain/webhook-secret.js';

const GENERATED_SECRET_BYTES = 32;

/** A fresh `whsec_` secret: base64 of 32 random bytes. */
export function generateWebhookSecret(): string {
  return WEBHOOK_SECRET_PREFIX + randomBytes(GENERATED_SECRET_BYTES).toString('base64');
}
