import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/errors.js';
import { parseJobConfig } from '../../src/domain/job-config.schema.js';
import { assertWebhookSecretValid, webhookSecretProblem } from '../../src/domain/webhook-secret.js';

const secretOf = (bytes: number) => `whsec_${Buffer.alloc(bytes, 7).toString('base64')}`;
const job = (webhookSecret: string) => ({
  requests: [
    {
      custom_id: 'a',
      params: { model: 'm', max_tokens: 1, messages: [{ role: 'user', content: 'hi' }] },
    },
  ],
  webhookSecret,
});

describe('webhookSecretProblem', () => {
  it('accepts whsec_ and the padded base64 of 24 to 64 bytes', () => {
    for (const bytes of [24, 32, 63, 64])
      expect(webhookSecretProblem(secretOf(bytes))).toBe(undefined);
  });

  it('names what is wrong with anything else', () => {
    expect(webhookSecretProblem('sk_abc')).toBe('must start with "whsec_"');
    expect(webhookSecretProblem('whsec_abc')).toBe('must be "whsec_" followed by standard base64');
    expect(webhookSecretProblem(secretOf(23))).toBe('must encode 24 to 64 bytes (it encodes 23)');
    expect(webhookSecretProblem(secretOf(65))).toBe('must encode 24 to 64 bytes (it encodes 65)');
  });
});

describe('assertWebhookSecretValid', () => {
  it('throws a ValidationError naming the field', () => {
    expect(() => assertWebhookSecretValid('nope', 'webhookSecret')).toThrow(ValidationError);
    try {
      assertWebhookSecretValid('nope', 'webhookSecret');
    } catch (error) {
      expect((error as ValidationError).issues).toEqual([
        { path: 'webhookSecret', message: 'must start with "whsec_"' },
      ]);
    }
  });
});

describe('a job’s webhookSecret', () => {
  it('is held to the same rule', () => {
    expect(parseJobConfig(job(secretOf(32))).webhookSecret).toBe(secretOf(32));
    for (const secret of ['whsec_abc', secretOf(23), secretOf(65), 'plain']) {
      expect(() => parseJobConfig(job(secret))).toThrow(
        'webhookSecret must be whsec_ followed by the padded base64 of 24 to 64 bytes',
      );
    }
  });
});
