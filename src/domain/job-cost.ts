import { addCacheSaving } from './cache-saved.js';
import type { UsageTotals } from './job.events.js';
import {
  type PriceTable,
  priceForModel,
  SHIPPED_PRICE_TABLE,
  type TokenPrices,
  webSearchUsdPerUse,
} from './pricing.js';

/** A result's `usage` as Anthropic reports it (the fields cost depends on). */
export interface BilledUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation?: {
    ephemeral_5m_input_tokens?: number | null;
    ephemeral_1h_input_tokens?: number | null;
  } | null;
  /** Server tools Anthropic ran and bills per use. */
  server_tool_use?: { web_search_requests?: number | null } | null;
}

/** Tokens by the way Anthropic bills them. */
export interface BilledTokens {
  inputTokens: number;
  outputTokens: number;
  /** Prompt-cache writes with the 5-minute TTL. */
  cacheWrite5mTokens: number;
  /** Prompt-cache writes with the 1-hour TTL. */
  cacheWrite1hTokens: number;
  cacheReadTokens: number;
  /** Web searches run (`server_tool_use.web_search_requests`), billed per use (absent: none). */
  webSearchRequests?: number;
}

/** What a set of results cost at batch prices, by kind, and what they would have cost outside batches. */
export interface CostParts {
  inputUsd: number;
  outputUsd: number;
  cacheWrite5mUsd: number;
  cacheWrite1hUsd: number;
  cacheReadUsd: number;
  /** Web searches' per-use fee (no batch discount); absent in events written before it was kept: 0. */
  webSearchUsd: number;
  /** The same tokens at standard (not batch) prices, with the same per-use fees. */
  standardUsd: number;
}

/** A job's cost as shown: the parts, their total (= `costUsd`), and the saving against standard prices. */
export interface CostSplit extends CostParts {
  totalUsd: number;
  savingUsd: number;
}

export const NO_TOKENS: BilledTokens = {
  inputTokens: 0,
  outputTokens: 0,
  cacheWrite5mTokens: 0,
  cacheWrite1hTokens: 0,
  cacheReadTokens: 0,
  webSearchRequests: 0,
};

export const NO_COST: CostParts = {
  inputUsd: 0,
  outputUsd: 0,
  cacheWrite5mUsd: 0,
  cacheWrite1hUsd: 0,
  cacheReadUsd: 0,
  webSearchUsd: 0,
  standardUsd: 0,
};

const BILLED_PARTS = [
  'inputUsd',
  'outputUsd',
  'cacheWrite5mUsd',
  'cacheWrite1hUsd',
  'cacheReadUsd',
  'webSearchUsd',
] as const satisfies readonly (keyof CostParts)[];

/**
 * A result's tokens by kind. Cache writes are split by TTL from `cache_creation`; a result
 * without that breakdown counts all of `cache_creation_input_tokens` as 5-minute writes.
 */
export function billedTokensOf(usage: BilledUsage): BilledTokens {
  const byTtl = usage.cache_creation;
  const split5m = byTtl?.ephemeral_5m_input_tokens ?? 0;
  const split1h = byTtl?.ephemeral_1h_input_tokens ?? 0;
  const hasSplit = byTtl != null && split5m + split1h > 0;
  return {
    inputTokens: usage.input_tokens,
    outputTokens: usage.output_tokens,
    cacheWrite5mTokens: hasSplit ? split5m : (usage.cache_creation_input_tokens ?? 0),
    cacheWrite1hTokens: hasSplit ? split1h : 0,
    cacheReadTokens: usage.cache_read_input_tokens ?? 0,
    ...(usage.server_tool_use?.web_search_requests
      ? { webSearchRequests: usage.server_tool_use.web_search_requests }
      : {}),
  };
}

export function addTokens(a: BilledTokens, b: BilledTokens): BilledTokens {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheWrite5mTokens: a.cacheWrite5mTokens + b.cacheWrite5mTokens,
    cacheWrite1hTokens: a.cacheWrite1hTokens + b.cacheWrite1hTokens,
    cacheReadTokens: a.cacheReadTokens + b.cacheReadTokens,
    webSearchRequests: (a.webSearchRequests ?? 0) + (b.webSearchRequests ?? 0),
  };
}

/** The prompt's length as the long-prompt price rule counts it: every input token, cached or not. */
export function promptTokensOf(tokens: BilledTokens): number {
  return (
    tokens.inputTokens +
    tokens.cacheWrite5mTokens +
    tokens.cacheWrite1hTokens +
    tokens.cacheReadTokens
  );
}

/**
 * The standard prices for one request of `model` with a prompt of `promptTokens`, or null
 * for a model the table does not price. A 1-hour cache write is twice the input price
 * (Anthropic's rule) unless the table says otherwise.
 */
export function requestPrices(
  model: string,
  promptTokens: number,
  table: PriceTable = SHIPPED_PRICE_TABLE,
): (TokenPrices & { cacheWrite1h: number }) | null {
  const row = priceForModel(model, table);
  if (row === null) return null;
  const prices =
    row.longPrompt !== undefined && promptTokens > row.longPrompt.aboveTokens
      ? row.longPrompt.prices
      : row.prices;
  return { ...prices, cacheWrite1h: prices.cacheWrite1h ?? prices.input * 2 };
}

/**
 * What one request's tokens cost at batch prices, by kind; null for a model the table does not
 * price (never zero). The long-prompt rule applies per request, so call it per result.
 * @example requestCostOf('claude-sonnet-5-5', { ...NO_TOKENS, inputTokens: 1_000_000 }).inputUsd // 1
 */
export function requestCostOf(
  model: string,
  tokens: BilledTokens,
  table: PriceTable = SHIPPED_PRICE_TABLE,
): CostParts | null {
  const prices = requestPrices(model, promptTokensOf(tokens), table);
  if (prices === null) return null;
  const perMillion = (count: number, price: number) => (count * price) / 1_000_000;
  const standard = {
    inputUsd: perMillion(tokens.inputTokens, prices.input),
    outputUsd: perMillion(tokens.outputTokens, prices.output),
    cacheWrite5mUsd: perMillion(tokens.cacheWrite5mTokens, prices.cacheWrite),
    cacheWrite1hUsd: perMillion(tokens.cacheWrite1hTokens, prices.cacheWrite1h),
    cacheReadUsd: perMillion(tokens.cacheReadTokens, prices.cacheRead),
    // A per-use fee: the batch discount is on tokens only.
    webSearchUsd: (tokens.webSearchRequests ?? 0) * webSearchUsdPerUse(table),
  };
  const discount = table.batchDiscount;
  return {
    inputUsd: standard.inputUsd * discount,
    outputUsd: standard.outputUsd * discount,
    cacheWrite5mUsd: standard.cacheWrite5mUsd * discount,
    cacheWrite1hUsd: standard.cacheWrite1hUsd * discount,
    cacheReadUsd: standard.cacheReadUsd * discount,
    webSearchUsd: standard.webSearchUsd,
    standardUsd: BILLED_PARTS.reduce((sum, part) => sum + standard[part], 0),
  };
}

/** Two costs together; an unknown one (null) makes the sum unknown. */
export function addCost(a: CostParts | null, b: CostParts | null): CostParts | null {
  if (a === null || b === null) return null;
  return {
    inputUsd: a.inputUsd + b.inputUsd,
    outputUsd: a.outputUsd + b.outputUsd,
    cacheWrite5mUsd: a.cacheWrite5mUsd + b.cacheWrite5mUsd,
    cacheWrite1hUsd: a.cacheWrite1hUsd + b.cacheWrite1hUsd,
    cacheReadUsd: a.cacheReadUsd + b.cacheReadUsd,
    webSearchUsd: webSearchUsdOf(a) + webSearchUsdOf(b),
    standardUsd: a.standardUsd + b.standardUsd,
  };
}

/** Every part rounded to the micro-dollar, so that sums of rounded parts stay on that grid. */
export function roundCost(cost: CostParts): CostParts {
  return {
    inputUsd: roundUsd(cost.inputUsd),
    outputUsd: roundUsd(cost.outputUsd),
    cacheWrite5mUsd: roundUsd(cost.cacheWrite5mUsd),
    cacheWrite1hUsd: roundUsd(cost.cacheWrite1hUsd),
    cacheReadUsd: roundUsd(cost.cacheReadUsd),
    webSearchUsd: roundUsd(webSearchUsdOf(cost)),
    standardUsd: roundUsd(cost.standardUsd),
  };
}

/** A cost's web search part; a split recorded before it was kept has none (0). */
export function webSearchUsdOf(cost: CostParts): number {
  return (cost as Partial<CostParts>).webSearchUsd ?? 0;
}

/** What is billed: the sum of the batch-priced parts (rounded to the micro-dollar). */
export function billedUsd(cost: CostParts): number {
  return roundUsd(BILLED_PARTS.reduce((sum, part) => sum + (cost[part] ?? 0), 0));
}

/** The parts with their total and the saving against standard prices. */
export function costSplitOf(cost: CostParts): CostSplit {
  const totalUsd = billedUsd(cost);
  return { ...cost, totalUsd, savingUsd: roundUsd(cost.standardUsd - totalUsd) };
}

/** USD rounded to the micro-dollar. */
export function roundUsd(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

/** What a job's state keeps beside `usage`: cache tokens by kind, and the cost split (null: unknown). */
export interface BilledUsageTotals {
  cacheWrite5mTokens: number;
  cacheWrite1hTokens: number;
  cacheReadTokens: number;
  cost: CostParts | null;
  /** What cache reads saved (cache-report.ts); null: unknown. */
  cacheSavedUsd: number | null;
}

export const NO_BILLED_USAGE: BilledUsageTotals = {
  cacheWrite5mTokens: 0,
  cacheWrite1hTokens: 0,
  cacheReadTokens: 0,
  cost: NO_COST,
  cacheSavedUsd: 0,
};

/**
 * The billed totals after a batch's usage. An unpriced model makes the split unknown, and so
 * does an event written before splits were kept (its total stays known in `usage.costUsd`).
 */
export function addBilledUsage(totals: BilledUsageTotals, usage: UsageTotals): BilledUsageTotals {
  const cost =
    totals.cost === null || usage.cost == null
      ? null
      : roundCost(addCost(totals.cost, usage.cost)!);
  return {
    cacheWrite5mTokens: totals.cacheWrite5mTokens + (usage.cacheWrite5mTokens ?? 0),
    cacheWrite1hTokens: totals.cacheWrite1hTokens + (usage.cacheWrite1hTokens ?? 0),
    cacheReadTokens: totals.cacheReadTokens + (usage.cacheReadTokens ?? 0),
    cost,
    cacheSavedUsd: addCacheSaving(totals.cacheSavedUsd, usage),
  };
}

/** A result's usage as it may arrive: any field may be missing. */
export type ReportedUsage = Partial<BilledUsage> | null | undefined;

/** Usage summed result by result, each priced on its own (the long-prompt rule is per request). */
export class UsageTally {
  #tokens: BilledTokens = NO_TOKENS;
  #cost: CostParts | null = NO_COST;

  constructor(private readonly table: PriceTable = SHIPPED_PRICE_TABLE) {}

  /** Counts one succeeded result of `model`. */
  add(model: string, usage: ReportedUsage): void {
    const tokens = billedTokensOf({
      ...usage,
      input_tokens: usage?.input_tokens ?? 0,
      output_tokens: usage?.output_tokens ?? 0,
    });
    this.#tokens = addTokens(this.#tokens, tokens);
    this.#cost = addCost(this.#cost, requestCostOf(model, tokens, this.table));
  }

  /** The totals an event records: parts rounded to the micro-dollar, `costUsd` their sum. */
  totals(): Required<Omit<UsageTotals, 'cacheSavedUsd' | 'webSearchRequests'>> &
    Pick<UsageTotals, 'webSearchRequests'> {
    const cost = this.#cost === null ? null : roundCost(this.#cost);
    const { webSearchRequests, ...tokens } = this.#tokens;
    return {
      ...tokens,
      // Written only when some result searched, so events without searches keep their shape.
      ...(webSearchRequests ? { webSearchRequests } : {}),
      costUsd: cost === null ? null : billedUsd(cost),
      cost,
    };
  }
}
