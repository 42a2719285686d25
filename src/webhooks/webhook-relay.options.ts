import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.js';
import type { Db } from '../store/schema/index.js';
import type { HostResolver } from './guarded-lookup.js';
import type { SecretCipher } from './secret-cipher.js';
import type { WebhookAllowList } from './webhook-allow-list.js';

/** The part of a pino logger the relay writes to. */
export type RelayLogger = Pick<Logger, 'debug' | 'warn' | 'error'>;

/** Deliveries a relay sends at once (default of `concurrency`). */
export const DEFAULT_RELAY_CONCURRENCY = 32;
/** The poll without wake-ups (default of `pollMs`). */
export const DEFAULT_RELAY_POLL_MS = 1000;
/** The poll while wake-ups arrive (default of `listeningPollMs`). */
export const DEFAULT_RELAY_LISTENING_POLL_MS = 5000;
/** How long a claim holds (default of `leaseMs`). */
export const DEFAULT_RELAY_LEASE_MS = 60_000;
/** The longest wait after database errors (default of `maxBackoffMs`). */
export const DEFAULT_RELAY_MAX_BACKOFF_MS = 30_000;

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

/** A logger that drops everything: the relay's when none is given. */
export const silentRelayLogger: RelayLogger = { debug() {}, warn() {}, error() {} };
