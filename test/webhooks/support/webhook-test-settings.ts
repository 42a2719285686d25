import { ManualClock } from '../../../src/domain/clock.js';
import { plaintextSecretCipher, type SecretCipher } from '../../../src/webhooks/secret-cipher.js';
import { parseWebhookAllowList } from '../../../src/webhooks/webhook-allow-list.js';
import type { WebhookSettings } from '../../../src/webhooks/webhook-settings.js';

/**
 * Settings for tests: a clock the test moves (starting at the real time, so receivers'
 * timestamp checks pass), 127.0.0.1 allow-listed for the local receivers.
 */
export function testWebhookSettings(
  cipher: SecretCipher = plaintextSecretCipher,
): WebhookSettings & { clock: ManualClock } {
  return {
    clock: new ManualClock(new Date()),
    allowList: parseWebhookAllowList('127.0.0.1'),
    cipher,
  };
}
