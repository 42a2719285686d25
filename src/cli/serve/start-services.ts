import type { RunningService, Service, ServiceContext } from './service.js';

/** Started services; `stop()` stops them in reverse order. */
export interface StartedServices {
  stop(): Promise<void>;
}

/**
 * Starts each service in order. If one fails to start, those already
 * started are stopped (in reverse) and the error is thrown.
 */
export async function startServices(
  services: readonly Service[],
  context: ServiceContext,
): Promise<StartedServices> {
  const running: { name: string; service: RunningService }[] = [];
  const stop = async () => {
    for (const { name, service } of running.splice(0).reverse()) {
      try {
        await service.stop();
        context.logger.info({ service: name }, 'service stopped');
      } catch (error) {
        // One service failing to stop must not keep the others (and the database) open.
        context.logger.error({ service: name, err: error }, 'service failed to stop');
      }
    }
  };
  for (const service of services) {
    try {
      running.push({ name: service.name, service: await service.start(context) });
      context.logger.info({ service: service.name }, 'service started');
    } catch (error) {
      await stop();
      throw error;
    }
  }
  return { stop };
}
