import { NotFoundError } from '../domain/errors.js';
import type { Db } from '../store/schema/index.js';
import { assertWebhookSecretValid, generateWebhookSecret } from './webhook-secret.js';
import type { WebhookSettings } from './webhook-settings.js';
import { rowToWebhookSubscription, type WebhookSubscriptionWithSecret } from './webhook-views.js';

/** How long a replaced secret keeps signing beside the new one (default: 24 h). */
export const DEFAULT_ROTATION_GRACE_MS = 24 * 60 * 60 * 1000;

export interface RotateWebhookSecretInput {
  tenant: string;
  id: string;
  /** The new secret; generated when absent. */
  secret?: string | undefined;
  /** How long the old secret still signs (default: 24 h). */
  graceMs?: number | undefined;
}

/**
 * Gives a subscription a new secret. Until the grace period ends every message carries
 * two signatures, by the new and the old secret, so receivers can switch at their pace.
 */
export async function rotateWebhookSecret(
  db: Db,
  input: RotateWebhookSecretInput,
  settings: WebhookSettings,
): Promise<WebhookSubscriptionWithSecret> {
  if (input.secret !== undefined) assertWebhookSecretValid(input.secret);
  const secret = input.secret ?? generateWebhookSecret();
  const graceMs = input.graceMs ?? DEFAULT_ROTATION_GRACE_MS;
  // One statement: `previous_secret = secret` reads the row as it was, so two rotations at
  // once cannot lose a secret between them.
  const row = await db
    .updateTable('webhook_endpoints')
    .set((eb) => ({
      previous_secret: eb.ref('secret'),
      previous_secret_expires_at: new Date(settings.clock.now().getTime() + graceMs),
      secret: settings.cipher.seal(secret, input.id),
    }))
    .where('id', '=', input.id)
    .where('tenant', '=', input.tenant)
    .where('kind', '=', 'subscription')
    .where('deleted_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
  if (!row) throw new NotFoundError(`webhook ${input.id} not found`);
  return { subscription: rowToWebhookSubscription(row), secret };
}
