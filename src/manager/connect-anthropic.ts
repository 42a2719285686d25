import { AnthropicGateway } from '../anthropic/anthropic-gateway.js';
import { type RunningSimulator, startSimulator } from '../anthropic/simulator/index.js';
import type { ManagerEnvironment } from '../config.js';
import type { CatalogueModel } from '../domain/anthropic-api/model-catalogue.js';
import type { BatchApi } from '../machines/batch-api.port.js';
import { instrumentBatchApi } from './instrumented-batch-api.js';
import type { BatchJobManagerOptions } from './manager-options.js';
import type { Report } from './report.js';

/**
 * The Message Batches API the manager talks to, built once: the one its options give, else
 * Anthropic with the options' (or the environment's) key, else the built-in simulator.
 */
export async function connectAnthropic(
  options: BatchJobManagerOptions,
  env: ManagerEnvironment,
  report: Report,
): Promise<{
  api: BatchApi;
  simulator: RunningSimulator | undefined;
  /** Every model Anthropic lists (absent with a given batchApi: the shipped catalogue is used). */
  listModels?: () => Promise<CatalogueModel[]>;
}> {
  if (options.batchApi) return { api: instrumentBatchApi(options.batchApi), simulator: undefined };
  const apiKey = options.anthropic?.apiKey ?? env.anthropicApiKey;
  const requestsPerMinute = options.anthropic?.requestsPerMinute;
  if (apiKey) {
    const gateway = new AnthropicGateway({
      apiKey,
      baseURL: options.anthropic?.baseURL ?? env.anthropicBaseUrl,
      requestsPerMinute,
      anthropicVersion: options.anthropicVersion ?? env.anthropicVersion,
    });
    return {
      api: instrumentBatchApi(gateway),
      simulator: undefined,
      listModels: () => gateway.listModels(),
    };
  }
  const simulator = await startSimulator({ host: '127.0.0.1', port: 0, latencyMs: 2000 });
  report('warn', 'no ANTHROPIC_API_KEY: using the built-in Message Batches simulator', {
    url: simulator.url,
  });
  const gateway = new AnthropicGateway({
    apiKey: 'simulator',
    baseURL: simulator.url,
    requestsPerMinute,
    anthropicVersion: options.anthropicVersion ?? env.anthropicVersion,
  });
  return { api: instrumentBatchApi(gateway), simulator, listModels: () => gateway.listModels() };
}
