import type { ManagerEnvironment } from '../config.js';
import type { Clock } from '../domain/clock.js';
import type { Priority } from '../domain/priority.js';
import type { BatchApi } from '../machines/batch-api.port.js';
import type { JobOptions } from '../machines/job-options.js';
import type { DatabaseHandle } from '../store/create-database.js';
import type { RelayLogger } from '../webhooks/webhook-relay.js';
import type { WebhookSettings } from '../webhooks/webhook-settings.js';

/** new BatchJobManager(options): the seed's options plus where to keep data and how to reach Anthropic. */
export interface BatchJobManagerOptions extends Partial<Omit<JobOptions, 'defaultPriority'>> {
  /** A Postgres URL (default: DATABASE_URL; unset: embedded PGlite). */
  databaseUrl?: string | undefined;
  /** Where embedded PGlite keeps its files (default: BATCHKEEPER_DATA_DIR, else ./.data). */
  dataDir?: string | undefined;
  /**
   * A direct (unpooled) Postgres URL for LISTEN when databaseUrl goes through a pooler
   * (default: BATCHKEEPER_LISTEN_URL, else databaseUrl).
   */
  listenUrl?: string | undefined;
  /** Named prepared statements (default: true unless BATCHKEEPER_PREPARED_STATEMENTS=off); off behind a transaction pooler. */
  preparedStatements?: boolean | undefined;
  /** An open database to use instead (it is not closed by close()). */
  database?: DatabaseHandle | undefined;
  /** (default: Priority.NORMAL) */
  defaultPriority?: Priority | undefined;
  /** With no API key (here or in ANTHROPIC_API_KEY) the built-in simulator is started on loopback. */
  anthropic?:
    | {
        apiKey?: string | undefined;
        baseURL?: string | undefined;
        /** Keeps batch calls under this many a minute (default: no limit). */
        requestsPerMinute?: number | undefined;
      }
    | undefined;
  /** Talk to Anthropic through this instead (tests, other gateways). */
  batchApi?: BatchApi | undefined;
  /** This instance's name in leases and event metadata (default: BATCHKEEPER_INSTANCE_ID, else host+pid). */
  instanceId?: string | undefined;
  /** The tenant the library's methods act for (default: 'default'). */
  tenant?: string | undefined;
  /** Run the scheduler that processes jobs (default: true); false for API-only instances. */
  worker?: boolean | undefined;
  /** Run the webhook relay (default: the same as worker). */
  webhookRelay?: boolean | undefined;
  /** Where the webhook relay reports failed deliveries and rounds (default: the `log` option's warn/error). */
  relayLogger?: RelayLogger | undefined;
  /** Hosts/CIDRs webhooks may target although private (default: BATCHKEEPER_WEBHOOK_ALLOW). */
  webhookAllow?: string | undefined;
  /** Encrypts webhook secrets at rest (default: BATCHKEEPER_ENCRYPTION_KEY). */
  encryptionKey?: string | undefined;
  /**
   * The webhooks' clock, allow-list and cipher, built once by the caller (serve builds them
   * from its config); webhookAllow and encryptionKey are then not read (default: built from them).
   */
  webhookSettings?: WebhookSettings | undefined;
  /** Webhook deliveries the relay sends at once (default: 32). */
  webhookConcurrency?: number | undefined;
  /** The relay's poll, in ms, while wake-ups (LISTEN) do not arrive (default: 1000). */
  webhookPollMs?: number | undefined;
  /** The relay's poll while wake-ups arrive: the longest a retry that falls due waits (default: 5000). */
  webhookListeningPollMs?: number | undefined;
  /**
   * The defaults for what these options leave out (default: read from process.env once, when
   * the manager is made; see managerEnvironment in src/config.ts).
   */
  environment?: ManagerEnvironment | undefined;
  /** (default: the system clock) */
  clock?: Clock | undefined;
  /** Where the manager reports what it does (default: nowhere). */
  log?:
    | ((
        level: 'info' | 'warn' | 'error',
        message: string,
        fields?: Record<string, unknown>,
      ) => void)
    | undefined;
}
