import Anthropic from '@anthropic-ai/sdk';
import type { BatchCreateParams } from '@anthropic-ai/sdk/resources/messages/batches';
import type { MessageCountTokensParams } from '@anthropic-ai/sdk/resources/messages/messages';
import { AnthropicFailure, BatchWaitTimeoutError } from '../domain/anthropic.errors.js';
import { DEFAULT_ANTHROPIC_VERSION } from '../domain/anthropic-api/api-version.js';
import { type CatalogueModel, catalogueEntryOf } from '../domain/anthropic-api/model-catalogue.js';
import { type Clock, systemClock } from '../domain/clock.js';
import { sleep } from '../support/sleep.js';
import type {
  AnthropicGatewayOptions,
  CallOptions,
  CountTokensOptions,
  CreateBatchOptions,
  ListAllBatchesOptions,
  ListBatchesOptions,
  RefreshedBatches,
  Sleep,
  WaitForBatchOptions,
} from './anthropic-gateway.options.js';
import type {
  BatchPage,
  BatchRequestInput,
  BatchResult,
  DeletedMessageBatch,
  MessageBatch,
} from './batch.types.js';
import { type BatchLookups, listAllBatches, refreshBatches } from './batch-listing.js';
import { completeBatchRequests } from './batch-requests.js';
import { countTokensBody } from './count-tokens-body.js';
import { downloadResults, resultsUrlOf } from './results-download.js';
import { DEFAULT_BACKOFF } from './retry-backoff.js';
import { RetryingCaller } from './retrying-caller.js';

/**
 * Our only door to Anthropic's Message Batches API (`client.messages.batches`,
 * no beta header). Every call goes through a token bucket (when
 * requestsPerMinute is set) and is retried on rate limits, overload, server
 * errors and lost connections, obeying retry-after and backing off with
 * jitter (see RetryingCaller). Every failure comes out as a typed AnthropicFailure.
 * @example const gateway = new AnthropicGateway({ baseURL: sim.url, apiKey: 'any' });
 *          const batch = await gateway.createBatch(requests, { model, maxTokens: 1024 });
 *          await gateway.waitForBatch(batch.id);
 *          for await (const line of gateway.results(batch.id)) save(line);
 */
export class AnthropicGateway {
  readonly #client: Anthropic;
  readonly #clock: Clock;
  readonly #sleep: Sleep;
  readonly #caller: RetryingCaller;
  readonly #lookups: BatchLookups = {
    listBatches: (options) => this.listBatches(options),
    getBatchStatus: (batchId, options) => this.getBatchStatus(batchId, options),
  };

  constructor(options: AnthropicGatewayOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#sleep = options.sleep ?? sleep;
    this.#caller = new RetryingCaller({
      clock: this.#clock,
      sleep: this.#sleep,
      random: options.random ?? Math.random,
      maxRetries: options.maxRetries ?? 5,
      backoff: { ...DEFAULT_BACKOFF, ...options.backoff },
      freshBatchWindowMs: options.freshBatchWindowMs ?? 60_000,
      requestsPerMinute: options.requestsPerMinute,
      burst: options.burst,
    });
    // Retries are ours, so that each attempt passes the token bucket and every wait the sleep hook.
    this.#client = new Anthropic({
      apiKey: options.apiKey,
      baseURL: options.baseURL,
      maxRetries: 0,
      timeout: options.timeoutMs ?? 600_000,
      // One explicit version, not whatever the SDK's major defaults to.
      defaultHeaders: {
        'anthropic-version': options.anthropicVersion ?? DEFAULT_ANTHROPIC_VERSION,
      },
    });
  }

  /**
   * Submits a batch; `options` fill in the model, max_tokens, system and
   * metadata requests leave out. A lost connection throws
   * BatchCreationUnconfirmedError (never retried: the batch may exist).
   */
  async createBatch(
    requests: readonly BatchRequestInput[],
    options: CreateBatchOptions = {},
  ): Promise<MessageBatch> {
    const complete = completeBatchRequests(requests, options);
    const body = { requests: complete } as unknown as BatchCreateParams;
    const batch = await this.#caller.call(
      (signal) =>
        this.#client.messages.batches.create(body, {
          signal,
          ...(options.anthropicVersion
            ? { headers: { 'anthropic-version': options.anthropicVersion } }
            : {}),
        }),
      {
        signal: options.signal,
        creating: { attemptedAt: this.#clock.now(), requestCount: complete.length },
      },
    );
    this.#caller.created(batch.id);
    return batch;
  }

  /**
   * Every model Anthropic lists, retired ones included (the SDK's `client.models.list`, all
   * pages): what requests are checked against.
   */
  async listModels(options: CallOptions = {}): Promise<CatalogueModel[]> {
    return this.#caller.call(
      async (signal) => {
        const models: CatalogueModel[] = [];
        const pages = this.#client.models.list(
          { limit: 1000, lifecycle: ['active', 'deprecated', 'retired'] },
          { signal },
        );
        for await (const model of pages) models.push(catalogueModelOf(model));
        return models;
      },
      { signal: options.signal },
    );
  }

  /**
   * The prompt's input tokens (`client.messages.countTokens`): a request's params without the
   * fields count_tokens refuses (max_tokens, sampling, metadata). Rate-limited and retried as
   * every call.
   */
  async countTokens(params: object, options: CountTokensOptions = {}): Promise<number> {
    const body = countTokensBody(params) as unknown as MessageCountTokensParams;
    const counted = await this.#caller.call(
      (signal) =>
        this.#client.messages.countTokens(body, {
          signal,
          ...(options.anthropicVersion
            ? { headers: { 'anthropic-version': options.anthropicVersion } }
            : {}),
        }),
      { signal: options.signal },
    );
    return counted.input_tokens;
  }

  /** The batch as Anthropic sees it now. */
  getBatchStatus(batchId: string, options: CallOptions = {}): Promise<MessageBatch> {
    return this.#caller.call(
      (signal) => this.#client.messages.batches.retrieve(batchId, {}, { signal }),
      { signal: options.signal, batchId },
    );
  }

  /** Starts canceling a batch; a batch that has already ended is returned as it is. */
  async cancelBatch(batchId: string, options: CallOptions = {}): Promise<MessageBatch> {
    try {
      return await this.#caller.call(
        (signal) => this.#client.messages.batches.cancel(batchId, {}, { signal }),
        { signal: options.signal, batchId },
      );
    } catch (error) {
      // Anthropic refuses to cancel an ended batch; for us that is the cancel's goal reached.
      if (error instanceof AnthropicFailure && error.upstreamStatus === 400) {
        const batch = await this.getBatchStatus(batchId, options);
        if (batch.processing_status === 'ended') return batch;
      }
      throw error;
    }
  }

  /** Deletes an ended batch (Anthropic refuses one still in progress: cancel it first). */
  deleteBatch(batchId: string, options: CallOptions = {}): Promise<DeletedMessageBatch> {
    return this.#caller.call(
      (signal) => this.#client.messages.batches.delete(batchId, {}, { signal }),
      { signal: options.signal, batchId },
    );
  }

  /** One page of batches, newest first. */
  async listBatches(options: ListBatchesOptions = {}): Promise<BatchPage> {
    const page = await this.#caller.call(
      (signal) =>
        this.#client.messages.batches.list(
          { limit: options.limit, after_id: options.afterId, before_id: options.beforeId },
          { signal },
        ),
      { signal: options.signal },
    );
    return {
      data: page.data,
      hasMore: page.has_more,
      firstId: page.first_id,
      lastId: page.last_id,
    };
  }

  /**
   * Every batch, newest first, page by page; with `createdAfter`, stops at the
   * first older batch (to reconcile: what did we create since then?).
   */
  listAllBatches(options: ListAllBatchesOptions = {}): AsyncGenerator<MessageBatch> {
    return listAllBatches(this.#lookups, options);
  }

  /**
   * The current state of many batches at the least cost in calls: list pages
   * (sized by listPageSize) while another page is cheaper than retrieving the
   * rest one by one, then retrieve what the pages did not show.
   */
  refreshBatches(ids: Iterable<string>, options: CallOptions = {}): Promise<RefreshedBatches> {
    return refreshBatches(this.#lookups, ids, options);
  }

  /**
   * A batch's results, one typed line at a time, read as a stream (never the
   * whole file in memory). If the download is cut, it starts again and skips
   * the lines already given.
   */
  async *results(
    batchId: string,
    options: CallOptions & { resultsUrl?: string | undefined } = {},
  ): AsyncGenerator<BatchResult> {
    const url =
      options.resultsUrl ?? resultsUrlOf(batchId, await this.getBatchStatus(batchId, options));
    const open = (href: string, signal?: AbortSignal) =>
      this.#client
        .get(href, { headers: { Accept: 'application/binary' }, __binaryResponse: true, signal })
        .asResponse();
    yield* downloadResults(this.#caller, open, batchId, url, options);
  }

  /** The seed's name for results(). */
  getBatchResults(batchId: string, options: CallOptions = {}): AsyncGenerator<BatchResult> {
    return this.results(batchId, options);
  }

  /**
   * Polls until the batch has ended, waiting longer between polls as it goes
   * (pollInterval, then half as long again each time, up to maxPollInterval).
   */
  async waitForBatch(batchId: string, options: WaitForBatchOptions = {}): Promise<MessageBatch> {
    const startedAt = this.#clock.now().getTime();
    const maxPollInterval = options.maxPollInterval ?? 60_000;
    let interval = Math.min(options.pollInterval ?? 5000, maxPollInterval);
    for (;;) {
      const batch = await this.getBatchStatus(batchId, options);
      if (batch.processing_status === 'ended') return batch;
      const waited = this.#clock.now().getTime() - startedAt;
      if (options.maxWait !== undefined && waited >= options.maxWait) {
        throw new BatchWaitTimeoutError(batchId, waited);
      }
      const left = options.maxWait === undefined ? interval : options.maxWait - waited;
      await this.#sleep(Math.min(interval, left), options.signal);
      interval = Math.min(interval * 1.5, maxPollInterval);
    }
  }
}

type ModelInfo = Awaited<ReturnType<Anthropic['models']['retrieve']>>;

function catalogueModelOf(info: ModelInfo): CatalogueModel {
  // The simulator's own fields (batch_beta_max_tokens, mid_conversation_system) where it sends them.
  return catalogueEntryOf(
    info as ModelInfo &
      Partial<Pick<CatalogueModel, 'batch_beta_max_tokens' | 'mid_conversation_system'>>,
  );
}
