import type { Logger } from 'pino';
import { type Clock, systemClock } from '../domain/clock.js';
import type { Db } from '../store/schema/index.js';
import { claimDueDeliveries } from './claim-due-deliveries.js';
import { type DeliveryResult, deliverClaimed } from './deliver-claimed.js';
import type { HostResolver } from './guarded-lookup.js';
import { plaintextSecretCipher, type SecretCipher } from './secret-cipher.js';
import type { WebhookAllowList } from './webhook-allow-list.js';
import {
  createWebhookSender,
  DEFAULT_DELIVERY_TIMEOUT_MS,
  type WebhookSender,
} from './webhook-sender.js';

/** The part of a pino logger the relay writes to. */
export type RelayLogger = Pick<Logger, 'debug' | 'warn' | 'error'>;

/** What the relay needs; everything but db, instanceId and allowList has a default. */
export interface WebhookRelayOptions {
  db: Db;
  /** This instance's name, kept on claims and attempts. */
  instanceId: string;
  allowList: WebhookAllowList;
  /** (default: the system clock) */
  clock?: Clock | undefined;
  /** (default: plaintext, no BATCHKEEPER_ENCRYPTION_KEY) */
  cipher?: SecretCipher | undefined;
  logger?: RelayLogger | undefined;
  /** Deliveries claimed and sent at once per round (default: 10). */
  batchSize?: number | undefined;
  /** Wait between rounds when nothing was due (default: 1000). */
  pollMs?: number | undefined;
  /** How long a claim holds; must exceed timeoutMs (default: 60 s). */
  leaseMs?: number | undefined;
  /** One attempt's time limit (default: 15 s). */
  timeoutMs?: number | undefined;
  /** Longest wait after database errors, doubling from pollMs (default: 30 s). */
  maxBackoffMs?: number | undefined;
  /** Resolves host names for the SSRF guard (default: the system resolver). */
  resolve?: HostResolver | undefined;
  /** A number in [0, 1) for the retry jitter (default: Math.random). */
  random?: (() => number) | undefined;
}

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

/** A running relay loop. */
export interface WebhookRelay {
  /** Finishes the round in flight, then stops. */
  stop(): Promise<void>;
  /** Deliveries were written: claim now rather than at the next poll. */
  wake(): void;
  /**
   * Whether wake-ups arrive (LISTEN is up): polling then only catches retries that fall due,
   * at `idlePollMs`; without them, every `pollMs`.
   */
  setListening(listening: boolean): void;
}

const DEFAULT_BATCH_SIZE = 10;
const DEFAULT_POLL_MS = 1000;
/** The poll while wake-ups arrive: retries that fall due are sent at most this late. */
const LISTENING_POLL_MS = 5000;
const DEFAULT_LEASE_MS = 60_000;
const DEFAULT_MAX_BACKOFF_MS = 30_000;
const silentLogger: RelayLogger = { debug() {}, warn() {}, error() {} };

/**
 * Claims the deliveries that are due, sends them and records each attempt: one round of the
 * relay (tests call it directly). Throws only when the claim itself fails (the database).
 */
export async function relayOnce(
  options: WebhookRelayOptions & { sender?: WebhookSender | undefined },
): Promise<RelayRoundReport> {
  const sender = options.sender ?? createSender(options);
  try {
    return await runRound(options, sender);
  } finally {
    if (!options.sender) sender.close();
  }
}

/**
 * Starts the relay loop: rounds back to back while a full batch was due, `pollMs` apart
 * otherwise, backing off (up to maxBackoffMs) while the database cannot be reached.
 */
export function startWebhookRelay(options: WebhookRelayOptions): WebhookRelay {
  const logger = options.logger ?? silentLogger;
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  const maxBackoffMs = options.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS;
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const sender = createSender(options);
  let stopped = false;
  let listening = false;
  let woken = false;
  let wake: (() => void) | undefined;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (stopped || woken) return resolve();
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const loop = (async () => {
    let failures = 0;
    while (!stopped) {
      try {
        woken = false;
        const report = await runRound(options, sender);
        failures = 0;
        if (report.claimed < batchSize)
          await sleep(listening ? Math.max(pollMs, LISTENING_POLL_MS) : pollMs);
      } catch (error) {
        failures += 1;
        const backoffMs = Math.min(maxBackoffMs, pollMs * 2 ** failures);
        logger.warn(
          { err: error, backoffMs },
          'webhook relay cannot claim deliveries; backing off',
        );
        await sleep(backoffMs);
      }
    }
  })();

  return {
    async stop() {
      stopped = true;
      wake?.();
      await loop;
      sender.close();
    },
    wake() {
      woken = true;
      wake?.();
    },
    setListening(value) {
      listening = value;
    },
  };
}

function createSender(options: WebhookRelayOptions): WebhookSender {
  const timeoutMs = options.timeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS;
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  // A lease shorter than an attempt would hand a delivery in flight to another relay.
  if (leaseMs <= timeoutMs) {
    throw new RangeError(`leaseMs (${leaseMs}) must exceed timeoutMs (${timeoutMs})`);
  }
  return createWebhookSender({ allowList: options.allowList, resolve: options.resolve, timeoutMs });
}

async function runRound(
  options: WebhookRelayOptions,
  sender: WebhookSender,
): Promise<RelayRoundReport> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const claimed = await options.db.transaction().execute((trx) =>
    claimDueDeliveries(trx, {
      instanceId: options.instanceId,
      now: clock.now(),
      leaseMs: options.leaseMs ?? DEFAULT_LEASE_MS,
      limit: options.batchSize ?? DEFAULT_BATCH_SIZE,
    }),
  );
  const deps = {
    db: options.db,
    clock,
    instanceId: options.instanceId,
    cipher: options.cipher ?? plaintextSecretCipher,
    sender,
    random: options.random ?? Math.random,
  };
  const results = await Promise.all(
    claimed.map(async (c): Promise<DeliveryResult | 'failed'> => {
      try {
        const result = await deliverClaimed(deps, c);
        if (result === 'lost') {
          logger.warn(
            { deliveryId: c.delivery.id },
            'webhook claim lapsed before its attempt was recorded',
          );
        }
        return result;
      } catch (error) {
        // One bad row must not stop the others; its claim lapses and it is tried again.
        logger.error(
          { err: error, deliveryId: c.delivery.id },
          'webhook delivery failed to record',
        );
        return 'failed';
      }
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
}
