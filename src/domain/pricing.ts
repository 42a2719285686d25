import { z } from 'zod';
import shippedPrices from './anthropic-api/prices.json' with { type: 'json' };
import { ValidationError } from './errors.js';

/** Standard (not batch) prices in USD per million tokens. */
export interface TokenPrices {
  input: number;
  output: number;
  /** Writing the prompt cache, 5-minute TTL (1.25 times input). */
  cacheWrite: number;
  /** Reading the prompt cache. */
  cacheRead: number;
  /** Writing the prompt cache, 1-hour TTL (default: twice input, Anthropic's rule). */
  cacheWrite1h?: number | undefined;
}

/** The price of the models whose id contains one of `match`. */
export interface ModelPrice {
  readonly label: string;
  readonly match: readonly string[];
  readonly prices: TokenPrices;
  /** Higher prices for every token of a request whose prompt is longer than `aboveTokens`. */
  readonly longPrompt?: { readonly aboveTokens: number; readonly prices: TokenPrices } | undefined;
}

/**
 * A price table: where and when it was taken, the batch discount, and one row per model family
 * (first match wins, so each version-specific row stands before its family's catch-all).
 */
export interface PriceTable {
  readonly source: string;
  /** The day the table was read from `source` (YYYY-MM-DD). */
  readonly takenOn: string;
  /** What a batch costs against the standard price: 0.5 is 50% off. */
  readonly batchDiscount: number;
  /** USD per web search a result ran (`server_tool_use.web_search_requests`; default: 0.01, $10 per 1,000). */
  readonly webSearchUsdPerUse?: number | undefined;
  readonly models: readonly ModelPrice[];
}

/** Anthropic's web search fee when a table names none: $10 per 1,000 searches, not discounted in batches. */
export const WEB_SEARCH_USD_PER_USE = 0.01;

/** A table's fee per web search. */
export function webSearchUsdPerUse(table: PriceTable): number {
  return table.webSearchUsdPerUse ?? WEB_SEARCH_USD_PER_USE;
}

const TokenPricesSchema = z.strictObject({
  input: z.number().nonnegative(),
  output: z.number().nonnegative(),
  cacheWrite: z.number().nonnegative(),
  cacheRead: z.number().nonnegative(),
  cacheWrite1h: z.number().nonnegative().optional(),
});

/** The form of a price table file (the shipped one, or BATCHKEEPER_PRICES_FILE). */
export const PriceTableSchema = z.object({
  source: z.string().min(1),
  takenOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'takenOn must be YYYY-MM-DD' }),
  unit: z.string().optional(),
  batchDiscount: z.number().gt(0).max(1),
  webSearchUsdPerUse: z.number().nonnegative().optional(),
  models: z.array(
    z.strictObject({
      label: z.string().min(1),
      match: z.array(z.string().min(1)).min(1),
      prices: TokenPricesSchema,
      longPrompt: z
        .strictObject({ aboveTokens: z.int().positive(), prices: TokenPricesSchema })
        .optional(),
    }),
  ),
});

/** A price table from parsed JSON; a ValidationError naming the field otherwise. */
export function parsePriceTable(json: unknown, origin = 'price table'): PriceTable {
  const parsed = PriceTableSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => ({
    path: issue.path.join('.'),
    message: issue.message,
  }));
  const first = issues[0]!;
  throw new ValidationError(`${origin}: ${first.path || '(root)'}: ${first.message}`, issues);
}

/** The table shipped with batchkeeper (src/domain/anthropic-api/prices.json). */
export const SHIPPED_PRICE_TABLE: PriceTable = parsePriceTable(shippedPrices, 'prices.json');

/** What the Message Batches API charges against the standard price: 0.5, i.e. 50% off. */
export const BATCH_DISCOUNT = SHIPPED_PRICE_TABLE.batchDiscount;

/** The day the shipped price table was taken from Anthropic's pricing page. */
export const PRICES_CHECKED = SHIPPED_PRICE_TABLE.takenOn;

/** The token counts of a result, as Anthropic reports them in `usage`. */
export interface TokenUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

/** The price row for a model id (`claude-sonnet-5-5`, `anthropic.claude-3-haiku-...`), or null for an unknown model. */
export function priceForModel(
  model: string,
  table: PriceTable = SHIPPED_PRICE_TABLE,
): ModelPrice | null {
  const id = model.toLowerCase();
  return table.models.find((row) => row.match.some((fragment) => id.includes(fragment))) ?? null;
}

/**
 * An estimate in USD of what one batch result cost: standard prices from a table matched by
 * family in the model id, times the table's batch discount; null for a model the table does not
 * price (never zero). Cache writes are priced as 5-minute ones here and there is no regional
 * surcharge (`inference_geo`); a job's cost split by kind and TTL is `requestCostOf` (job-cost.ts).
 * @example estimateBatchCostUsd('claude-sonnet-5-5', { input_tokens: 1_000_000, output_tokens: 0 }) // 1
 */
export function estimateBatchCostUsd(
  model: string,
  usage: TokenUsage,
  table: PriceTable = SHIPPED_PRICE_TABLE,
): number | null {
  const row = priceForModel(model, table);
  if (row === null) return null;
  const cacheWrite = usage.cache_creation_input_tokens ?? 0;
  const cacheRead = usage.cache_read_input_tokens ?? 0;
  const prompt = usage.input_tokens + cacheWrite + cacheRead;
  const prices =
    row.longPrompt !== undefined && prompt > row.longPrompt.aboveTokens
      ? row.longPrompt.prices
      : row.prices;
  const standard =
    usage.input_tokens * prices.input +
    usage.output_tokens * prices.output +
    cacheWrite * prices.cacheWrite +
    cacheRead * prices.cacheRead;
  return (standard / 1_000_000) * table.batchDiscount;
}
