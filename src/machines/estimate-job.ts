import type { ModelCatalogue } from '../domain/anthropic-api/model-catalogue.js';
import { SHIPPED_MODEL_CATALOGUE } from '../domain/anthropic-api/model-catalogue.js';
import type { Clock } from '../domain/clock.js';
import { NotReadyError } from '../domain/errors.js';
import { fingerprintParams } from '../domain/fingerprint.js';
import { parseJobConfig } from '../domain/job-config.schema.js';
import {
  cacheTtlOf,
  ESTIMATE_COUNT_LIMIT,
  estimateFromCounts,
  type JobEstimate,
  ordinalsToCount,
  type RequestToEstimate,
} from '../domain/job-estimate.js';
import type { JobOptions } from '../domain/job-options.js';
import type { MessageParams } from '../domain/request.schema.js';
import type { BatchApi } from './batch-api.port.js';
import { requestsToDrop } from './create-job.js';
import { TokenCountCache } from './token-count-cache.js';

/** count_tokens calls out at once for one estimate (the gateway's rate limit still applies). */
const COUNT_CONCURRENCY = 4;

export interface EstimateDeps {
  api: BatchApi;
  clock: Clock;
  options: JobOptions;
  modelCatalogue?: (() => Promise<ModelCatalogue>) | undefined;
  /** Counts already made, shared between estimates (default: a new one). */
  cache?: TokenCountCache | undefined;
  /** Requests counted one by one before sampling (default: ESTIMATE_COUNT_LIMIT). */
  countLimit?: number | undefined;
}

/**
 * What a job would cost before it is created (`POST /v1/jobs/estimate`): the body is checked as
 * createJob checks it (a 400 the same way), requests Anthropic would refuse and duplicates within
 * the job are left out as creation leaves them out, and the input tokens of up to `countLimit`
 * requests are counted with Anthropic's count_tokens; nothing is stored.
 */
export class JobEstimator {
  readonly #cache: TokenCountCache;

  constructor(private readonly deps: EstimateDeps) {
    this.#cache = deps.cache ?? new TokenCountCache();
  }

  async estimate(input: unknown): Promise<JobEstimate> {
    const { api, options, clock } = this.deps;
    const config = parseJobConfig(input);
    const countTokens = api.countTokens?.bind(api);
    if (!countTokens) {
      throw new NotReadyError('token counting is not available with this Message Batches API');
    }
    const version = config.anthropicVersion ?? options.anthropicVersion;
    const dropped = await requestsToDrop(config, {
      version,
      catalogue: (await this.deps.modelCatalogue?.()) ?? SHIPPED_MODEL_CATALOGUE,
      now: clock.now(),
    });
    // What is sent, each with its count's cache key; a duplicate within the job is sent once.
    const sent = new Map<string, { countKey: string; params: MessageParams }>();
    config.requests.forEach((request, ordinal) => {
      if (dropped?.has(ordinal)) return;
      const countKey = `${version}\0${fingerprintParams(request.params)}`;
      const key = config.deduplicate ? countKey : String(ordinal);
      if (!sent.has(key)) sent.set(key, { countKey, params: request.params });
    });
    const toSend = [...sent.values()];
    const requests: RequestToEstimate[] = toSend.map(({ params }) => ({
      model: params.model,
      maxTokens: params.max_tokens,
      cacheTtl: cacheTtlOf(params),
    }));
    const ordinals = ordinalsToCount(toSend.length, this.deps.countLimit ?? ESTIMATE_COUNT_LIMIT);
    const counted = new Map<number, number>();
    let next = 0;
    const worker = async () => {
      while (next < ordinals.length) {
        const ordinal = ordinals[next++]!;
        const { countKey, params } = toSend[ordinal]!;
        let tokens = this.#cache.get(countKey);
        if (tokens === undefined) {
          tokens = await countTokens(params, { anthropicVersion: version });
          this.#cache.set(countKey, tokens);
        }
        counted.set(ordinal, tokens);
      }
    };
    await Promise.all(Array.from({ length: COUNT_CONCURRENCY }, worker));
    return estimateFromCounts(requests, counted, options.priceTable);
  }
}
