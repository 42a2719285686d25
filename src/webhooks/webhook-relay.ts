import type { ClaimedDelivery } from './claim-due-deliveries.js';
import type { FinishedAttempt } from './deliver-claimed.js';
import { attemptSafely, settleSafely } from './deliver-safely.js';
import { claimForRelay, createRelaySender, relayConcurrency, relayDeps } from './relay-deps.js';
import { releaseClaims } from './release-claims.js';
import {
  DEFAULT_RELAY_LEASE_MS,
  DEFAULT_RELAY_LISTENING_POLL_MS,
  DEFAULT_RELAY_MAX_BACKOFF_MS,
  DEFAULT_RELAY_POLL_MS,
  silentRelayLogger,
  type WebhookRelayOptions,
} from './webhook-relay.options.js';
import { DEFAULT_DELIVERY_TIMEOUT_MS } from './webhook-sender.js';

// The relay's other parts, where its users have always found them.
export { type RelayRoundReport, relayOnce } from './relay-once.js';
export {
  DEFAULT_RELAY_CONCURRENCY,
  DEFAULT_RELAY_LISTENING_POLL_MS,
  DEFAULT_RELAY_POLL_MS,
  type RelayLogger,
  type WebhookRelayOptions,
} from './webhook-relay.options.js';

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

/**
 * Starts the relay: up to `concurrency` deliveries in flight, the next one sent as soon as one
 * is answered (its attempt is recorded meanwhile, batched with others). Up to twice
 * `concurrency` more are claimed ahead of the free slots, so a slot does not wait for a claim;
 * when nothing more is due the relay waits for a wake-up or the poll, and it backs off (up to
 * maxBackoffMs) while the database cannot be reached.
 */
export function startWebhookRelay(options: WebhookRelayOptions): WebhookRelay {
  const logger = options.logger ?? silentRelayLogger;
  const pollMs = options.pollMs ?? DEFAULT_RELAY_POLL_MS;
  const listeningPollMs = Math.max(
    pollMs,
    options.listeningPollMs ?? DEFAULT_RELAY_LISTENING_POLL_MS,
  );
  const maxBackoffMs = options.maxBackoffMs ?? DEFAULT_RELAY_MAX_BACKOFF_MS;
  const leaseMs = options.leaseMs ?? DEFAULT_RELAY_LEASE_MS;
  const timeoutMs = options.timeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS;
  const concurrency = relayConcurrency(options);
  const sender = createRelaySender(options);
  const deps = relayDeps(options, sender);
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
        await settleSafely(deps, claimed, finished, logger);
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
        claimed = await claimForRelay(options, claimedAt, wanted);
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
