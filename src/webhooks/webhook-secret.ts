import { randomBytes } from 'node:crypto';
import { ValidationError } from '../domain/errors.js';

const SECRET_PREFIX = 'whsec_';
/** The key length range Standard Webhooks asks of a secret, in bytes. */
export const MIN_SECRET_BYTES = 24;
export const MAX_SECRET_BYTES = 64;
const GENERATED_SECRET_BYTES = 32;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** A fresh `whsec_` secret: base64 of 32 random bytes. */
export function generateWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(GENERATED_SECRET_BYTES).toString('base64');
}

/**
 * Throws a ValidationError unless `secret` is `whsec_` + base64 of 24..64 bytes.
 * @example assertWebhookSecretValid('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')
 */
export function assertWebhookSecretValid(secret: string, field = 'secret'): void {
  const problem = describeSecretProblem(secret);
  if (problem) {
    throw new ValidationError(`invalid webhook secret: ${problem}`, [
      { path: field, message: problem },
    ]);
  }
}

function describeSecretProblem(secret: string): string | undefined {
  if (!secret.startsWith(SECRET_PREFIX)) return `must start with "${SECRET_PREFIX}"`;
  const encoded = secret.slice(SECRET_PREFIX.length);
  if (encoded.length % 4 !== 0 || !BASE64.test(encoded)) {
    return `must be "${SECRET_PREFIX}" followed by standard base64`;
  }
  const bytes = Buffer.from(encoded, 'base64').length;
  if (bytes < MIN_SECRET_BYTES || bytes > MAX_SECRET_BYTES) {
    return `must encode ${MIN_SECRET_BYTES} to ${MAX_SECRET_BYTES} bytes (it encodes ${bytes})`;
  }
  return undefined;
}
