import type { ClaimedDelivery } from './claim-due-deliveries.js';
import {
  attemptClaimed,
  type DeliveryResult,
  type FinishedAttempt,
  recordFinished,
} from './deliver-claimed.js';
import type { RelayDeps } from './relay-deps.js';
import type { RelayLogger } from './webhook-relay.options.js';

/** Makes the attempt; a fault (not a failed send: those are outcomes) is logged, and the claim lapses. */
export async function attemptSafely(
  deps: RelayDeps,
  claimed: ClaimedDelivery,
  logger: RelayLogger,
): Promise<FinishedAttempt | undefined> {
  try {
    return await attemptClaimed(deps, claimed);
  } catch (error) {
    logger.error(
      { err: error, deliveryId: claimed.delivery.id },
      'webhook delivery could not be attempted',
    );
    return undefined;
  }
}

/** Records a finished attempt; one that cannot be recorded is logged, and its claim lapses. */
export async function settleSafely(
  deps: RelayDeps,
  claimed: ClaimedDelivery,
  finished: FinishedAttempt,
  logger: RelayLogger,
): Promise<DeliveryResult | 'failed'> {
  try {
    const result = await recordFinished(deps, finished);
    if (result === 'lost') {
      logger.warn(
        { deliveryId: claimed.delivery.id },
        'webhook claim lapsed before its attempt was recorded',
      );
    }
    return result;
  } catch (error) {
    // One bad row must not stop the others; its claim lapses and it is tried again.
    logger.error(
      { err: error, deliveryId: claimed.delivery.id },
      'webhook delivery failed to record',
    );
    return 'failed';
  }
}
