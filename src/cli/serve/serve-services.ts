import { chainOldEventsService } from '../../audit/chain-old-events.service.js';
import { eventFeedLagService } from '../../audit/event-feed-lag.service.js';
import { payloadRetentionService } from '../../audit/payload-retention.service.js';
import type { Config } from '../../config.js';
import type { Service } from './service.js';
import { simulatorService } from './simulator.service.js';

export interface ServeRoles {
  /** Serve the HTTP API (`--no-api` turns it off). */
  api: boolean;
  /** Run the scheduler and the webhook relay (`--no-worker` turns them off; the manager runs both). */
  worker: boolean;
}

/**
 * The services `serve` starts, in order (and stops in reverse). A service
 * joins by adding itself here; the HTTP server is not one of them, `serve`
 * starts it last and closes it first.
 */
export function serveServices(config: Config, _roles: ServeRoles): Service[] {
  return [
    ...anthropicServices(config),
    chainOldEventsService(),
    eventFeedLagService(),
    ...(config.purgeAfterDays
      ? [payloadRetentionService({ afterDays: config.purgeAfterDays })]
      : []),
  ];
}

/**
 * With no ANTHROPIC_API_KEY, the in-process Message Batches simulator: it
 * must start first, so that every later service's SDK points at it.
 */
function anthropicServices(config: Config): Service[] {
  return config.anthropic.apiKey ? [] : [simulatorService()];
}
