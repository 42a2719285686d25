import { parseWebhookAllowList, secretCipherFor, startWebhookRelay } from '../../webhooks/index.js';
import type { Service } from './service.js';

/** The outbox relay: claims due webhook deliveries, signs and sends them, records each attempt. */
export function webhookRelayService(): Service {
  return {
    name: 'webhook-relay',
    async start({ db, config, logger }) {
      return startWebhookRelay({
        db,
        instanceId: config.instanceId,
        allowList: parseWebhookAllowList(config.webhookAllow),
        cipher: secretCipherFor(config.encryptionKey),
        logger: logger.child({ service: 'webhook-relay' }),
      });
    },
  };
}
