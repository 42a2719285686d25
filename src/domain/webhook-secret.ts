import { ValidationError } from './errors.js';

/** What every webhook secret starts with (the Standard Webhooks form). */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';

/** The key length Standard Webhooks asks of a secret, in bytes: 24 to 64. */
export const WEBHOOK_SECRET_BYTES = { min: 24, max: 64 } as const;

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * What is wrong with a webhook secret, or undefined when it is `whsec_` and the padded standard
 * base64 of 24 to 64 bytes. Other strings are refused rather than used as raw keys, so every
 * receiver can verify with a stock Standard Webhooks library.
 * @example webhookSecretProblem('whsec_abc') // 'must be "whsec_" followed by standard base64'
 */
export function webhookSecretProblem(secret: string): string | undefined {
  if (!secret.startsWith(WEBHOOK_SECRET_PREFIX))
    return `must start with "${WEBHOOK_SECRET_PREFIX}"`;
  const encoded = secret.slice(WEBHOOK_SECRET_PREFIX.length);
  if (encoded.length % 4 !== 0 || !BASE64.test(encoded)) {
    return `must be "${WEBHOOK_SECRET_PREFIX}" followed by standard base64`;
  }
  const bytes = decodedLength(encoded);
  const { min, max } = WEBHOOK_SECRET_BYTES;
  if (bytes < min || bytes > max) return `must encode ${min} to ${max} bytes (it encodes ${bytes})`;
  return undefined;
}

/**
 * Throws a ValidationError naming `field` unless `secret` is `whsec_` + base64 of 24..64 bytes.
 * @example assertWebhookSecretValid('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')
 */
export function assertWebhookSecretValid(secret: string, field = 'secret'): void {
  const problem = webhookSecretProblem(secret);
  if (problem) {
    throw new ValidationError(`invalid webhook secret: ${problem}`, [
      { path: field, message: problem },
    ]);
  }
}

/** Bytes that padded base64 decodes to. */
function decodedLength(base64: string): number {
  const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
  return (base64.length / 4) * 3 - padding;
}
