/** What the Message Batches API charges against the standard price: 0.5, i.e. 50% off. */
export const BATCH_DISCOUNT = 0.5;

/** The month the price table below was last checked against Anthropic's pricing page. */
export const PRICES_CHECKED = '2026-11';

/** Standard (not batch) prices in USD per million tokens. */
export interface TokenPrices {
  input: number;
  output: number;
  /** Writing the prompt cache, 5-minute TTL (1.25 times input). */
  cacheWrite: number;
  /** Reading the prompt cache. */
  cacheRead: number;
}

/** The price of the models whose id contains one of `match`. */
export interface ModelPrice {
  readonly label: string;
  readonly match: readonly string[];
  readonly prices: TokenPrices;
  /** Higher prices for every token of a request whose prompt is longer than `aboveTokens`. */
  readonly longPrompt?: { readonly aboveTokens: number; readonly prices: TokenPrices };
}

/** The token counts of a result, as Anthropic reports them in `usage`. */
export interface TokenUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

// First match wins, so each version-specific row stands before its family's catch-all.
// Source: https://platform.claude.com/docs/en/about-claude/pricing (checked PRICES_CHECKED).
const MODEL_PRICES: readonly ModelPrice[] = [
  {
    label: 'Claude Opus 5.5',
    match: ['opus-5-5'],
    prices: { input: 4, output: 20, cacheWrite: 5, cacheRead: 0.2 },
  },
  {
    label: 'Claude Opus 3, 4 and 4.1',
    match: ['3-opus', 'opus-4-0', 'opus-4-1', 'opus-4-2025'],
    prices: { input: 15, output: 75, cacheWrite: 18.75, cacheRead: 1.5 },
  },
  {
    label: 'Claude Opus (4.5 to 5)',
    match: ['opus'],
    prices: { input: 5, output: 25, cacheWrite: 6.25, cacheRead: 0.5 },
  },
  {
    label: 'Claude Sonnet 5.5',
    match: ['sonnet-5-5'],
    prices: { input: 2, output: 10, cacheWrite: 2.5, cacheRead: 0.1 },
  },
  {
    label: 'Claude Sonnet 5',
    match: ['sonnet-5'],
    prices: { input: 2, output: 10, cacheWrite: 2.5, cacheRead: 0.2 },
  },
  {
    label: 'Claude Sonnet (3.5 to 4.6)',
    match: ['sonnet'],
    prices: { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 },
  },
  {
    label: 'Claude Haiku 5.5',
    match: ['haiku-5-5'],
    prices: { input: 0.1, output: 0.5, cacheWrite: 0.125, cacheRead: 0.01 },
    longPrompt: {
      aboveTokens: 100_000,
      prices: { input: 0.5, output: 2.5, cacheWrite: 0.625, cacheRead: 0.05 },
    },
  },
  {
    label: 'Claude Haiku 3.5',
    match: ['3-5-haiku'],
    prices: { input: 0.8, output: 4, cacheWrite: 1, cacheRead: 0.08 },
  },
  {
    label: 'Claude Haiku 3',
    match: ['3-haiku'],
    prices: { input: 0.25, output: 1.25, cacheWrite: 0.3, cacheRead: 0.03 },
  },
  {
    label: 'Claude Haiku (4.5)',
    match: ['haiku'],
    prices: { input: 1, output: 5, cacheWrite: 1.25, cacheRead: 0.1 },
  },
];

/** The price row for a model id (`claude-sonnet-5-5`, `anthropic.claude-3-haiku-...`), or null for an unknown model. */
export function priceForModel(model: string): ModelPrice | null {
  const id = model.toLowerCase();
  return MODEL_PRICES.find((row) => row.match.some((fragment) => id.includes(fragment))) ?? null;
}

/**
 * An estimate in USD of what one batch result cost: standard prices from a table matched by
 * family in the model id, halved for the Message Batches API; null for an unknown model. The
 * prices are estimates to keep current (see PRICES_CHECKED): Anthropic changes them, and the
 * table knows neither 1-hour cache writes (priced as 5-minute ones) nor regional surcharges.
 * @example estimateBatchCostUsd('claude-sonnet-5-5', { input_tokens: 1_000_000, output_tokens: 0 }) // 1
 */
export function estimateBatchCostUsd(model: string, usage: TokenUsage): number | null {
  const row = priceForModel(model);
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
  return (standard / 1_000_000) * BATCH_DISCOUNT;
}
