import { systemClock } from '../domain/clock.js';
import {
  type AttemptRecorder,
  createAttemptRecorder,
  writeAttemptsTo,
} from './attempt-recorder.js';
import { type ClaimedDelivery, claimDueDeliveries } from './claim-due-deliveries.js';
import type { DeliverDeps } from './deliver-claimed.js';
import { plaintextSecretCipher } from './secret-cipher.js';
import {
  DEFAULT_RELAY_CONCURRENCY,
  DEFAULT_RELAY_LEASE_MS,
  type WebhookRelayOptions,
} from './webhook-relay.options.js';
import {
  createWebhookSender,
  DEFAULT_DELIVERY_TIMEOUT_MS,
  type WebhookSender,
} from './webhook-sender.js';

/** What sending and recording one claimed delivery needs. */
export type RelayDeps = DeliverDeps & { recorder: AttemptRecorder };

/** The relay's options with their defaults filled in and checked. */
export function relayDeps(options: WebhookRelayOptions, sender: WebhookSender): RelayDeps {
  return {
    db: options.db,
    clock: options.clock ?? systemClock,
    instanceId: options.instanceId,
    cipher: options.cipher ?? plaintextSecretCipher,
    sender,
    random: options.random ?? Math.random,
    recorder: createAttemptRecorder(writeAttemptsTo(options.db)),
  };
}

/** The sender of the relay's attempts; throws when the lease could not cover an attempt. */
export function createRelaySender(options: WebhookRelayOptions): WebhookSender {
  const timeoutMs = options.timeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS;
  const leaseMs = options.leaseMs ?? DEFAULT_RELAY_LEASE_MS;
  // A lease shorter than an attempt would hand a delivery in flight to another relay.
  if (leaseMs <= timeoutMs) {
    throw new RangeError(`leaseMs (${leaseMs}) must exceed timeoutMs (${timeoutMs})`);
  }
  return createWebhookSender({ allowList: options.allowList, resolve: options.resolve, timeoutMs });
}

/** `concurrency`, checked (default: 32). */
export function relayConcurrency(options: WebhookRelayOptions): number {
  const concurrency = options.concurrency ?? DEFAULT_RELAY_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency (${concurrency}) must be a whole number of at least 1`);
  }
  return concurrency;
}

/** Claims up to `limit` (default: the concurrency) due deliveries for this relay. */
export function claimForRelay(
  options: WebhookRelayOptions,
  now: Date,
  limit: number | undefined,
): Promise<ClaimedDelivery[]> {
  return claimDueDeliveries(options.db, {
    instanceId: options.instanceId,
    now,
    leaseMs: options.leaseMs ?? DEFAULT_RELAY_LEASE_MS,
    limit: limit ?? relayConcurrency(options),
  });
}
