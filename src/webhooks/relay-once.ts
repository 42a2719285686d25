import type { DeliveryResult } from './deliver-claimed.js';
import { attemptSafely, settleSafely } from './deliver-safely.js';
import { claimForRelay, createRelaySender, relayDeps } from './relay-deps.js';
import { silentRelayLogger, type WebhookRelayOptions } from './webhook-relay.options.js';
import type { WebhookSender } from './webhook-sender.js';

/** How a round went. */
export interface RelayRoundReport {
  claimed: number;
  delivered: number;
  retrying: number;
  dead: number;
  /** Claims that lapsed before the attempt was recorded; another relay owns them. */
  lost: number;
  /** Deliveries a fault kept from being recorded; their claims lapse and they are tried again. */
  failed: number;
}

/**
 * Claims the deliveries that are due (up to `concurrency`), sends them and records each
 * attempt: one round, for tests and tools (the running relay claims continuously instead).
 * Throws only when the claim itself fails (the database).
 */
export async function relayOnce(
  options: WebhookRelayOptions & { sender?: WebhookSender | undefined },
): Promise<RelayRoundReport> {
  const sender = options.sender ?? createRelaySender(options);
  try {
    const logger = options.logger ?? silentRelayLogger;
    const deps = relayDeps(options, sender);
    const claimed = await claimForRelay(options, deps.clock.now(), options.concurrency);
    const results = await Promise.all(
      claimed.map(async (c) => {
        const finished = await attemptSafely(deps, c, logger);
        return finished ? settleSafely(deps, c, finished, logger) : 'failed';
      }),
    );
    const count = (result: DeliveryResult | 'failed') => results.filter((r) => r === result).length;
    return {
      claimed: claimed.length,
      delivered: count('delivered'),
      retrying: count('retrying'),
      dead: count('dead'),
      lost: count('lost'),
      failed: count('failed'),
    };
  } finally {
    if (!options.sender) sender.close();
  }
}
