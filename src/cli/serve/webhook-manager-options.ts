import type { Config } from '../../config.js';
import type { BatchJobManagerOptions } from '../../manager/manager-options.js';
import { createWebhookSettings } from '../../webhooks/webhook-settings.js';

/**
 * The manager's webhook options from serve's config: the settings, built here once (the
 * webhook routes use the manager's, `manager.webhookSettings`), and the relay's pace.
 */
export function webhookManagerOptions(
  config: Config,
): Pick<
  BatchJobManagerOptions,
  'webhookSettings' | 'webhookConcurrency' | 'webhookPollMs' | 'webhookListeningPollMs'
> {
  return {
    webhookSettings: createWebhookSettings({
      allow: config.webhookAllow,
      encryptionKey: config.encryptionKey,
    }),
    webhookConcurrency: config.webhookRelay.concurrency,
    webhookPollMs: config.webhookRelay.pollMs,
    webhookListeningPollMs: config.webhookRelay.listeningPollMs,
  };
}
