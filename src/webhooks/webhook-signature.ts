import { Webhook } from 'standardwebhooks';

/** The three Standard Webhooks headers. */
export interface WebhookSignatureHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

export interface SignWebhookInput {
  /** The message id: the same on every attempt, so receivers can drop duplicates. */
  id: string;
  /** When this attempt is made; receivers refuse timestamps far from their own clock. */
  timestamp: Date;
  body: string;
  /** Each secret signs; during a rotation's grace period the new one and the old one do. */
  secrets: readonly string[];
}

/**
 * Signs a message the Standard Webhooks way: `v1,<base64 HMAC-SHA256 of id.timestamp.body>`
 * per secret, space-separated.
 */
export function signWebhook(input: SignWebhookInput): WebhookSignatureHeaders {
  if (input.secrets.length === 0) throw new RangeError('a webhook needs at least one secret');
  const signatures = input.secrets.map((secret) =>
    new Webhook(secret).sign(input.id, input.timestamp, input.body),
  );
  return {
    'webhook-id': input.id,
    'webhook-timestamp': String(Math.floor(input.timestamp.getTime() / 1000)),
    'webhook-signature': signatures.join(' '),
  };
}
