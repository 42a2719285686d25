import { startSimulator } from '../../anthropic/simulator/index.js';
import type { Service } from './service.js';

/** The key the SDK sends to the simulator, which accepts any. */
const SIMULATOR_API_KEY = 'sk-ant-simulator';

/**
 * The built-in Message Batches simulator on a free loopback port, for when
 * no ANTHROPIC_API_KEY is set: services started after it talk to it.
 */
export function simulatorService(): Service {
  return {
    name: 'simulator',
    async start(context) {
      const simulator = await startSimulator({ host: '127.0.0.1' });
      context.anthropic.baseURL = simulator.url;
      context.anthropic.apiKey = SIMULATOR_API_KEY;
      context.logger.warn(
        { url: simulator.url },
        `ANTHROPIC_API_KEY is not set: jobs go to the built-in simulator at ${simulator.url}, not to Anthropic`,
      );
      return { stop: () => simulator.stop() };
    },
  };
}
