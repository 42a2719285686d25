import {
  type CatalogueModel,
  type ModelCatalogue,
  SHIPPED_MODEL_CATALOGUE,
} from '../domain/anthropic-api/model-catalogue.js';
import type { Clock } from '../domain/clock.js';

export interface ModelCatalogueCacheOptions {
  /** Reads every model Anthropic lists (AnthropicGateway.listModels). */
  list: () => Promise<readonly CatalogueModel[]>;
  clock: Clock;
  /** How long a catalogue read is used before it is read again, ms (default: 3600000). */
  ttlMs?: number | undefined;
  /** After a failed read, how long the fallback is used before trying again, ms (default: 60000). */
  retryAfterFailureMs?: number | undefined;
  /** The longest a caller waits for a read before the fallback is used, real ms (default: 2000). */
  waitMs?: number | undefined;
  /** Told when the endpoint cannot be read and the fallback is used. */
  warn: (message: string, fields: Record<string, unknown>) => void;
  /** Used until a read succeeds (default: SHIPPED_MODEL_CATALOGUE). */
  fallback?: ModelCatalogue | undefined;
}

/**
 * The model catalogue requests are checked against: GET /v1/models, read at most once an hour
 * (one read at a time, however many callers), and when the endpoint cannot be reached, the
 * last catalogue read (or the shipped one) with a warning. Creation never waits more than
 * `waitMs` for it.
 */
export class ModelCatalogueCache {
  readonly #options: ModelCatalogueCacheOptions;
  #last: { catalogue: ModelCatalogue; readAt: number } | undefined;
  #failedAt: number | undefined;
  #reading: Promise<void> | undefined;

  constructor(options: ModelCatalogueCacheOptions) {
    this.#options = options;
  }

  async current(): Promise<ModelCatalogue> {
    const now = this.#options.clock.now().getTime();
    if (this.#last && now - this.#last.readAt < (this.#options.ttlMs ?? 3_600_000)) {
      return this.#last.catalogue;
    }
    const recentlyFailed =
      this.#failedAt !== undefined &&
      now - this.#failedAt < (this.#options.retryAfterFailureMs ?? 60_000);
    if (!recentlyFailed) await this.#readWithin(this.#options.waitMs ?? 2000);
    const read = this.#last;
    if (read && read.readAt >= now) return read.catalogue;
    return read ? { ...read.catalogue, source: 'cached' } : this.#fallback();
  }

  #fallback(): ModelCatalogue {
    return this.#options.fallback ?? SHIPPED_MODEL_CATALOGUE;
  }

  async #readWithin(waitMs: number): Promise<void> {
    this.#reading ??= this.#read().finally(() => {
      this.#reading = undefined;
    });
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, waitMs);
      timer.unref();
    });
    const answered = await Promise.race([this.#reading.then(() => true), gaveUp.then(() => false)]);
    clearTimeout(timer);
    // A read that outlasts the wait counts as failed until it ends (it may be retrying for
    // minutes): the callers after this one use the fallback at once instead of each waiting.
    if (!answered) this.#failedAt ??= this.#options.clock.now().getTime();
  }

  async #read(): Promise<void> {
    const readAt = this.#options.clock.now().getTime();
    try {
      const models = await this.#options.list();
      this.#last = { catalogue: withShippedExtras(models, this.#fallback()), readAt };
      this.#failedAt = undefined;
    } catch (error) {
      this.#failedAt = readAt;
      this.#options.warn(
        'cannot read the model catalogue (GET /v1/models); using the last one known',
        {
          using: this.#last ? 'cached' : 'shipped',
          error: error instanceof Error ? error.message : String(error),
        },
      );
    }
  }
}

/**
 * The listed models, with what the API does not say (the 300k batch beta, mid-conversation
 * system messages) taken from the shipped entry.
 */
function withShippedExtras(
  models: readonly CatalogueModel[],
  shipped: ModelCatalogue,
): ModelCatalogue {
  const extras = new Map(shipped.models.map((m) => [m.id, m]));
  return {
    source: 'api',
    models: models.map((m) => ({
      ...m,
      batch_beta_max_tokens:
        m.batch_beta_max_tokens ?? extras.get(m.id)?.batch_beta_max_tokens ?? null,
      mid_conversation_system:
        m.mid_conversation_system ?? extras.get(m.id)?.mid_conversation_system ?? null,
    })),
  };
}
