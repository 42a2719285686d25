import {
  type CatalogueModel,
  catalogueEntryOf,
  type ModelLifecycle,
} from '../../domain/anthropic-api/model-catalogue.js';
import { invalidRequest, notFound } from './simulated-api.error.js';
import type { SimulatorState } from './simulator-state.js';

const LIFECYCLES: readonly ModelLifecycle[] = ['active', 'deprecated', 'retired'];
/** What the list shows when no lifecycle is asked for, as the API does: retired models only on request. */
const DEFAULT_LIFECYCLES: readonly ModelLifecycle[] = ['active', 'deprecated'];

export interface ModelsQuery {
  limit?: string | undefined;
  after_id?: string | undefined;
  before_id?: string | undefined;
  lifecycle: string[];
}

/**
 * GET /v1/models: the catalogue, newest first, a page at a time (`limit` 1..1000, default 20;
 * `after_id` / `before_id` cursors), filtered by `lifecycle[]`. A model's stage is judged on the
 * simulator's clock: a deprecated model past its `retires_at` is listed as retired.
 */
export function listModels(state: SimulatorState, query: ModelsQuery) {
  const wanted = query.lifecycle.length === 0 ? DEFAULT_LIFECYCLES : query.lifecycle;
  const unknown = wanted.find((stage) => !(LIFECYCLES as readonly string[]).includes(stage));
  if (unknown !== undefined) {
    throw invalidRequest(`lifecycle: Input should be 'active', 'deprecated' or 'retired'`);
  }
  const limit = query.limit === undefined ? 20 : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw invalidRequest('limit: must be an integer from 1 to 1000');
  }
  const now = state.nowMs();
  const all = state.settings.models
    .map((model) => modelInfo(model, now))
    .filter((model) => wanted.includes(model.lifecycle));
  let start = 0;
  let end = all.length;
  if (query.after_id !== undefined) start = indexAfter(all, query.after_id);
  if (query.before_id !== undefined) {
    end = all.findIndex((m) => m.id === query.before_id);
    if (end < 0) throw invalidRequest('before_id: not a model id');
    start = Math.max(0, end - limit);
  }
  const data = all.slice(start, Math.min(end, start + limit));
  const hasMore = query.before_id !== undefined ? start > 0 : start + data.length < all.length;
  return {
    data,
    has_more: hasMore,
    first_id: data[0]?.id ?? null,
    last_id: data.at(-1)?.id ?? null,
  };
}

/** GET /v1/models/{id}: one model, retired ones included; 404 for an id the catalogue lacks. */
export function retrieveModel(state: SimulatorState, id: string) {
  const model = state.settings.models.find((m) => m.id === id);
  if (!model) throw notFound(`model: ${id}`);
  return modelInfo(model, state.nowMs());
}

function indexAfter(models: ReadonlyArray<{ id: string }>, id: string): number {
  const index = models.findIndex((m) => m.id === id);
  if (index < 0) throw invalidRequest('after_id: not a model id');
  return index + 1;
}

/** The API's ModelInfo for a catalogue entry at `now`. */
function modelInfo(model: CatalogueModel, now: number) {
  const overdue = model.retires_at !== null && now >= Date.parse(model.retires_at);
  return {
    type: 'model' as const,
    ...catalogueEntryOf(model),
    lifecycle: overdue ? ('retired' as const) : model.lifecycle,
    capabilities: null,
    line: null,
  };
}
