import type { Logger } from 'pino';
import { type Clock, systemClock } from '../domain/clock.js';
import type { Db } from '../store/schema/index.js';
import {
  type AttemptRecorder,
  createAttemptRecorder,
  writeAttemptsTo,
} from './attempt-recorder.js';
import { type ClaimedDelivery, claimDueDeliveries } from './claim-due-deliveries.js';
import {
  attemptClaimed,
  type DeliverDeps,
  type DeliveryResult,
  type FinishedAttempt,
  recordFinished,
} from './deliver-claimed.js';
import type { HostResolver } from './guarded-lookup.js';
import { releaseClaims } from './release-claims.js';
import { plaintextSecretCipher, type SecretCipher } from './secret-cipher.js';
import type { WebhookAllowList } from './webhook-allow-list.js';
import {
  createWebhookSender,
  DEFAULT_DELIVERY_TIMEOUT_MS,
  type WebhookSender,
} from './webhook-sender.js';

/** The part of a pino logger the relay writes to. */
export type RelayLogger = Pick<Logger, 'debug' | 'warn' | 'error'>;

/** Deliveries a relay sends at once (default of `concurrency`). */
export const DEFAULT_RELAY_CONCURRENCY = 32;
/** The poll without wake-ups (default of `pollMs`). */
export const DEFAULT_RELAY_POLL_MS = 1000;
/** The poll while wake-ups arrive (default of `listeningPollMs`). */
export const DEFAULT_RELAY_LISTENING_POLL_MS = 5000;

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
  /**
   * Deliveries sent at once; the next one goes as soon as one is answered, so a slow receiver
   * holds its own slots only (default: 32). The running relay claims up to twice as many again
   * ahead; relayOnce claims this many.
   */
  concurrency?: number | undefined;
  /** Wait before looking again when nothing was due and wake-ups do not arrive (default: 1000). */
  pollMs?: number | undefined;
  /**
   * The same while wake-ups arrive (LISTEN is up): new deliveries come with a wake-up, so this
   * only bounds how late a retry that falls due is sent (default: 5000, at least pollMs).
   */
  listeningPollMs?: number | undefined;
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
  /** Stops claiming, finishes the deliveries in flight and records them, then stops. */
  stop(): Promise<void>;
  /** Deliveries were written: claim now rather than at the next poll. */
  wake(): void;
  /**
   * Whether wake-ups arrive (LISTEN is up): polling then only catches retries that fall due,
   * every `listeningPollMs`; without them, every `pollMs`.
   */
  setListening(listening: boolean): void;
}

const DEFAULT_LEASE_MS = 60_000;
const DEFAULT_MAX_BACKOFF_MS = 30_000;
const silentLogger: RelayLogger = { debug() {}, warn() {}, error() {} };

/**
 * Claims the deliveries that are due (up to `concurrency`), sends them and records each
 * attempt: one round, for tests and tools (the running relay claims continuously instead).
 * Throws only when the claim itself fails (the database).
 */
export async function relayOnce(
  options: WebhookRelayOptions & { sender?: WebhookSender | undefined },
): Promise<RelayRoundReport> {
  const sender = options.sender ?? createSender(options);
  try {
    const logger = options.logger ?? silentLogger;
    const deps = deliverDeps(options, sender);
    const claimed = await claim(options, deps.clock.now(), options.concurrency);
    const results = await Promise.all(
      claimed.map(async (c) => {
        const finished = await attemptSafely(deps, c, logger);
        return finished ? settle(deps, c, finished, logger) : 'failed';
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

/**
 * Starts the relay: up to `concurrency` deliveries in flight, the next one sent as soon as one
 * is answered (its attempt is recorded meanwhile, batched with others). Up to twice
 * `concurrency` more are claimed ahead of the free slots, so a slot does not wait for a claim;
 * when nothing more is due the relay waits for a wake-up or the poll, and it backs off (up to
 * maxBackoffMs) while the database cannot be reached.
 */
export function startWebhookRelay(options: WebhookRelayOptions): WebhookRelay {
  const logger = options.logger ?? silentLogger;
  const pollMs = options.pollMs ?? DEFAULT_RELAY_POLL_MS;
  const listeningPollMs = Math.max(
    pollMs,
    options.listeningPollMs ?? DEFAULT_RELAY_LISTENING_POLL_MS,
  );
  const maxBackoffMs = options.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS;
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const timeoutMs = options.timeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS;
  const concurrency = concurrencyOf(options);
  const sender = createSender(options);
  const deps = deliverDeps(options, sender);
  const readAhead = concurrency * readAheadFactor(leaseMs, timeoutMs);
  // Claim again once a quarter of the read-ahead is used: the claim (a round trip and a
  // commit) then ends before what is left of it has been sent, and claims come in batches.
  const claimBatch = Math.max(1, Math.ceil(readAhead / 4));
  const ready: { claimed: ClaimedDelivery; claimedAt: number }[] = [];
  const inFlight = new Set<Promise<void>>();
  /** Slots taken: attempts being sent. */
  let sending = 0;
  /** Attempts sent and waiting to be recorded. */
  let recording = 0;
  let stopped = false;
  let listening = false;
  /** A wake-up came since the last claim began: what it announces may not have been seen. */
  let woken = false;
  /** What the loop waits for, and how to end the wait. */
  let waitingFor: 'room' | 'work' | undefined;
  let resume: (() => void) | undefined;

  // Attempts waiting for the database count against the room once they pile up (beyond what
  // a batch or two holds), so a slow database slows the claims rather than letting ever more
  // claims wait in memory.
  const room = () =>
    concurrency +
    readAhead -
    sending -
    ready.length -
    Math.max(0, recording - concurrency - readAhead);

  const wait = (what: 'room' | 'work', ms?: number) =>
    new Promise<void>((resolve) => {
      if (stopped) return resolve();
      const timer = ms === undefined ? undefined : setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        waitingFor = undefined;
        resume = undefined;
        resolve();
      }
      waitingFor = what;
      resume = done;
    });

  /** Starts claimed deliveries in the free slots, and lets the loop claim when there is room. */
  const fill = () => {
    while (!stopped && sending < concurrency && ready.length > 0) {
      const { claimed, claimedAt } = ready.shift()!;
      // Its attempt could end after its lease, when another relay may have it: let it lapse.
      if (deps.clock.now().getTime() - claimedAt + timeoutMs >= leaseMs) {
        logger.debug({ deliveryId: claimed.delivery.id }, 'webhook claim too old to send');
        continue;
      }
      start(claimed);
    }
    if (waitingFor === 'room' && room() >= claimBatch) resume?.();
  };

  const start = (claimed: ClaimedDelivery) => {
    sending += 1;
    const task = (async () => {
      let finished: FinishedAttempt | undefined;
      try {
        finished = await attemptSafely(deps, claimed, logger);
      } finally {
        sending -= 1;
      }
      if (!finished) return fill();
      // The slot is free once the receiver answered: recording happens beside the next sends.
      recording += 1;
      fill();
      try {
        await settle(deps, claimed, finished, logger);
      } finally {
        recording -= 1;
        fill();
      }
    })();
    inFlight.add(task);
    void task.finally(() => inFlight.delete(task));
  };

  const loop = (async () => {
    let failures = 0;
    while (!stopped) {
      const wanted = room();
      if (wanted < claimBatch) {
        await wait('room');
        continue;
      }
      woken = false;
      let claimed: ClaimedDelivery[];
      const claimedAt = deps.clock.now();
      try {
        claimed = await claim(options, claimedAt, wanted);
        failures = 0;
      } catch (error) {
        failures += 1;
        const backoffMs = Math.min(maxBackoffMs, pollMs * 2 ** failures);
        logger.warn(
          { err: error, backoffMs },
          'webhook relay cannot claim deliveries; backing off',
        );
        await wait('work', backoffMs);
        continue;
      }
      for (const c of claimed) ready.push({ claimed: c, claimedAt: claimedAt.getTime() });
      fill();
      // Fewer than asked for: nothing more is due now. New deliveries come with a wake-up
      // (or are found at the poll); retries that fall due are found at the poll.
      if (claimed.length < wanted && !woken) {
        await wait('work', listening ? listeningPollMs : pollMs);
      }
    }
    // Claimed but not sent: handed back now, rather than held until their leases lapse.
    const unsent = ready.splice(0).map(({ claimed }) => claimed);
    await releaseClaims(options.db, unsent).catch((error: unknown) =>
      logger.warn({ err: error }, 'webhook claims could not be handed back; they will lapse'),
    );
    await Promise.all(inFlight);
    await deps.recorder.flushed();
  })();

  return {
    async stop() {
      stopped = true;
      resume?.();
      await loop;
      sender.close();
    },
    wake() {
      woken = true;
      if (waitingFor === 'work') resume?.();
    },
    setListening(value) {
      listening = value;
    },
  };
}

/**
 * How many times `concurrency` the relay claims ahead of its free slots (at most 2). A claimed
 * delivery waits at most one attempt's time per `concurrency` ahead of it (every slot frees
 * within timeoutMs), so the lease must cover those waits and its own attempt.
 */
function readAheadFactor(leaseMs: number, timeoutMs: number): number {
  return Math.max(0, Math.min(2, Math.floor(leaseMs / timeoutMs) - 1));
}

function concurrencyOf(options: WebhookRelayOptions): number {
  const concurrency = options.concurrency ?? DEFAULT_RELAY_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency (${concurrency}) must be a whole number of at least 1`);
  }
  return concurrency;
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

type RelayDeps = DeliverDeps & { recorder: AttemptRecorder };

function deliverDeps(options: WebhookRelayOptions, sender: WebhookSender): RelayDeps {
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

function claim(
  options: WebhookRelayOptions,
  now: Date,
  limit: number | undefined,
): Promise<ClaimedDelivery[]> {
  return claimDueDeliveries(options.db, {
    instanceId: options.instanceId,
    now,
    leaseMs: options.leaseMs ?? DEFAULT_LEASE_MS,
    limit: limit ?? concurrencyOf(options),
  });
}

/** Makes the attempt; a fault (not a failed send: those are outcomes) is logged, and the claim lapses. */
async function attemptSafely(
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
async function settle(
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
