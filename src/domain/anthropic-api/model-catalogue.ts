import { DOC_SOURCES } from './doc-sources.js';

/** A model's lifecycle stage, as `GET /v1/models` reports it. */
export type ModelLifecycle = 'active' | 'deprecated' | 'retired';

/** One model of the catalogue: the fields of the API's ModelInfo that the checks use. */
export interface CatalogueModel {
  id: string;
  display_name: string;
  /** RFC 3339; the epoch where the release date is not known. */
  created_at: string;
  lifecycle: ModelLifecycle;
  deprecated_at: string | null;
  /** RFC 3339: when requests naming the model start to fail (scheduled or past). */
  retires_at: string | null;
  /** The largest `max_tokens` the model takes; null where not known (not checked then). */
  max_tokens: number | null;
  max_input_tokens: number | null;
  /** The largest `max_tokens` in a batch sent with the output-300k beta; null where it does not apply. */
  batch_beta_max_tokens?: number | null;
  /**
   * Whether `role: "system"` messages may appear in `messages` (mid-conversation system
   * messages, from Claude Opus 4.8 on); null where not known (not checked then). Not in the
   * API's ModelInfo: taken from the shipped entry of the same id.
   */
  mid_conversation_system?: boolean | null;
}

/** Every model batchkeeper may check a request against, and where the list came from. */
export interface ModelCatalogue {
  models: readonly CatalogueModel[];
  /** `api`: read from GET /v1/models; `cached`: the last read, the endpoint failing; `shipped`: the list below. */
  source: 'api' | 'cached' | 'shipped';
}

/**
 * Exactly the catalogue fields of `info` (a ModelInfo from `GET /v1/models`, or a catalogue
 * entry), our extras null where absent: the one place that says which fields those are.
 */
export function catalogueEntryOf(
  info: Omit<CatalogueModel, 'batch_beta_max_tokens' | 'mid_conversation_system'> &
    Partial<Pick<CatalogueModel, 'batch_beta_max_tokens' | 'mid_conversation_system'>>,
): CatalogueModel {
  return {
    id: info.id,
    display_name: info.display_name,
    created_at: info.created_at,
    lifecycle: info.lifecycle,
    deprecated_at: info.deprecated_at,
    retires_at: info.retires_at,
    max_tokens: info.max_tokens,
    max_input_tokens: info.max_input_tokens,
    batch_beta_max_tokens: info.batch_beta_max_tokens ?? null,
    mid_conversation_system: info.mid_conversation_system ?? null,
  };
}

/** The beta that raises a batch's max output to 300k tokens on the models that support it. */
export const OUTPUT_300K_BETA = 'output-300k-2026-03-24';
const BATCH_BETA_MAX_TOKENS = 300_000;

export type ModelStanding =
  | { kind: 'available'; model: CatalogueModel }
  | { kind: 'retired'; model: CatalogueModel; retiredAt: string | null }
  | { kind: 'unknown' };

/**
 * Where a model id stands at `now`: retired once its lifecycle says so or its retirement date
 * has passed on the given clock (so a test's clock, not the wall, decides), else available.
 */
export function modelStanding(catalogue: ModelCatalogue, id: string, now: Date): ModelStanding {
  const model = catalogue.models.find((m) => m.id === id);
  if (!model) return { kind: 'unknown' };
  if (isRetired(model, now)) return { kind: 'retired', model, retiredAt: model.retires_at };
  return { kind: 'available', model };
}

/** The ids a request may name at `now`, newest first as the API lists them. */
export function currentModelIds(catalogue: ModelCatalogue, now: Date): string[] {
  return catalogue.models.filter((m) => !isRetired(m, now)).map((m) => m.id);
}

/** Whether `model` refuses `role: "system"` messages in `messages`: false when it takes them or is not known to refuse. */
export function refusesSystemMessages(model: CatalogueModel): boolean {
  return model.mid_conversation_system === false;
}

/** The ids a request with mid-conversation system messages may name at `now`, newest first. */
export function currentSystemMessageModelIds(catalogue: ModelCatalogue, now: Date): string[] {
  return catalogue.models
    .filter((m) => m.mid_conversation_system === true && !isRetired(m, now))
    .map((m) => m.id);
}

/** The largest `max_tokens` a batch request may ask of `model`, given the batch's betas; null: unknown. */
export function maxOutputTokens(model: CatalogueModel, betas: readonly string[]): number | null {
  if (betas.includes(OUTPUT_300K_BETA) && model.batch_beta_max_tokens)
    return model.batch_beta_max_tokens;
  return model.max_tokens;
}

function isRetired(model: CatalogueModel, now: Date): boolean {
  if (model.lifecycle === 'retired') return true;
  return model.retires_at !== null && now.getTime() >= Date.parse(model.retires_at);
}

const EPOCH = '1970-01-01T00:00:00Z';

function model(
  id: string,
  display_name: string,
  limits: {
    max_tokens: number | null;
    max_input_tokens: number | null;
    beta?: boolean;
    /** Takes mid-conversation system messages (true), refuses them (false), not known (absent). */
    systemMessages?: boolean;
  },
  lifecycle: Pick<CatalogueModel, 'lifecycle' | 'deprecated_at' | 'retires_at'> = {
    lifecycle: 'active',
    deprecated_at: null,
    retires_at: null,
  },
): CatalogueModel {
  return {
    id,
    display_name,
    created_at: EPOCH,
    ...lifecycle,
    max_tokens: limits.max_tokens,
    max_input_tokens: limits.max_input_tokens,
    batch_beta_max_tokens: limits.beta ? BATCH_BETA_MAX_TOKENS : null,
    mid_conversation_system: limits.systemMessages ?? null,
  };
}

const retired = (on: string) => ({
  lifecycle: 'retired' as const,
  deprecated_at: null,
  retires_at: `${on}T00:00:00Z`,
});
const retiring = (on: string) => ({
  lifecycle: 'deprecated' as const,
  deprecated_at: null,
  retires_at: `${on}T00:00:00Z`,
});

const M1 = 1_000_000;

/**
 * The catalogue shipped with batchkeeper, used until `GET /v1/models` answers and whenever it
 * cannot be reached. Sources: the models overview and model-deprecations pages and the release
 * notes (DOC_SOURCES); release dates are not kept (the epoch, as the API does when unknown).
 * `systemMessages`: the mid-conversation system messages page and "What's new in Claude Opus
 * 4.8" (Opus 4.8 takes them, the models before it refuse them); the 5 generation as reported by
 * SDK integrations (docs/simulator.md); Fable 5.2 is not known, so not checked.
 */
export const SHIPPED_MODEL_CATALOGUE: ModelCatalogue = {
  source: 'shipped',
  models: [
    model('claude-opus-5-5', 'Claude Opus 5.5', {
      max_tokens: 128_000,
      max_input_tokens: M1,
      beta: true,
      systemMessages: true,
    }),
    model('claude-sonnet-5-5', 'Claude Sonnet 5.5', {
      max_tokens: 128_000,
      max_input_tokens: M1,
      beta: true,
      systemMessages: true,
    }),
    model('claude-haiku-5-5', 'Claude Haiku 5.5', {
      max_tokens: 128_000,
      max_input_tokens: M1,
      systemMessages: true,
    }),
    model('claude-fable-5-2', 'Claude Fable 5.2', { max_tokens: 128_000, max_input_tokens: M1 }),
    model('claude-fable-5-1', 'Claude Fable 5.1', {
      max_tokens: 128_000,
      max_input_tokens: M1,
      systemMessages: true,
    }),
    model('claude-fable-5', 'Claude Fable 5', {
      max_tokens: 128_000,
      max_input_tokens: M1,
      systemMessages: true,
    }),
    model('claude-opus-5', 'Claude Opus 5', {
      max_tokens: 128_000,
      max_input_tokens: M1,
      beta: true,
      systemMessages: true,
    }),
    model('claude-sonnet-5', 'Claude Sonnet 5', {
      max_tokens: 128_000,
      max_input_tokens: M1,
      beta: true,
      systemMessages: true,
    }),
    model('claude-opus-4-8', 'Claude Opus 4.8', {
      max_tokens: 128_000,
      max_input_tokens: M1,
      systemMessages: true,
    }),
    model('claude-opus-4-6', 'Claude Opus 4.6', {
      max_tokens: 128_000,
      max_input_tokens: null,
      systemMessages: false,
    }),
    model('claude-sonnet-4-6', 'Claude Sonnet 4.6', {
      max_tokens: 128_000,
      max_input_tokens: null,
      systemMessages: false,
    }),
    model(
      'claude-opus-4-5',
      'Claude Opus 4.5',
      { max_tokens: 64_000, max_input_tokens: 200_000, systemMessages: false },
      retiring('2027-01-22'),
    ),
    model(
      'claude-opus-4-5-20251101',
      'Claude Opus 4.5',
      { max_tokens: 64_000, max_input_tokens: 200_000, systemMessages: false },
      retiring('2027-01-22'),
    ),
    model('claude-haiku-4-5', 'Claude Haiku 4.5', {
      max_tokens: 64_000,
      max_input_tokens: 200_000,
      systemMessages: false,
    }),
    model('claude-haiku-4-5-20251001', 'Claude Haiku 4.5', {
      max_tokens: 64_000,
      max_input_tokens: 200_000,
      systemMessages: false,
    }),
    model(
      'claude-sonnet-4-5',
      'Claude Sonnet 4.5',
      { max_tokens: 64_000, max_input_tokens: 200_000, systemMessages: false },
      retiring('2026-11-30'),
    ),
    model(
      'claude-sonnet-4-5-20250929',
      'Claude Sonnet 4.5',
      { max_tokens: 64_000, max_input_tokens: 200_000, systemMessages: false },
      retiring('2026-11-30'),
    ),
    model(
      'claude-sonnet-4-20250514',
      'Claude Sonnet 4',
      { max_tokens: 64_000, max_input_tokens: 200_000, systemMessages: false },
      retired('2026-06-15'),
    ),
    model(
      'claude-opus-4-20250514',
      'Claude Opus 4',
      { max_tokens: 32_000, max_input_tokens: 200_000, systemMessages: false },
      retired('2026-06-15'),
    ),
  ],
};

/** Where the shipped catalogue's facts come from (docs/simulator.md lists them). */
export const MODEL_CATALOGUE_SOURCES = [
  DOC_SOURCES.models,
  DOC_SOURCES.midConversationSystemMessages,
  DOC_SOURCES.whatsNewOpus48,
  DOC_SOURCES.modelDeprecations,
  DOC_SOURCES.releaseNotes,
] as const;
