import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import type { Db } from '../../store/schema/index.js';

/** What every service of `serve` may use. */
export interface ServiceContext {
  db: Db;
  config: Config;
  logger: Logger;
  /**
   * Where the Anthropic SDK points. Starts as configured; with no
   * ANTHROPIC_API_KEY the simulator service fills in its own URL and key,
   * so services started after it talk to the simulator.
   */
  anthropic: { apiKey: string | undefined; baseURL: string | undefined };
}

/** A long-running part of `serve` (the simulator, the scheduler, the webhook relay). */
export interface Service {
  /** Named in start-up and shutdown log lines. */
  name: string;
  start(context: ServiceContext): Promise<RunningService>;
}

export interface RunningService {
  /** Finishes what is in hand and releases what it holds; called once, at shutdown. */
  stop(): Promise<void>;
}
