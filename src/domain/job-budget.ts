import { cacheTtlOf } from './job-estimate.js';
import { type PriceTable, priceForModel, type TokenPrices, webSearchUsdPerUse } from './pricing.js';
import type { MessageParams } from './request.schema.js';

/**
 * The tool-use system prompt Anthropic adds when a request has tools: it is billed as input
 * but is not in the params (a few hundred tokens; 1,000 bounds it).
 */
export const TOOL_PROMPT_TOKENS_BOUND = 1000;

/** Tokens an image not sent inline may be billed at (Anthropic resizes images to about 1,600). */
export const IMAGE_TOKENS_BOUND = 5000;

/** Server tool types (run and billed by Anthropic) by prefix: each must carry `max_uses`. */
const SERVER_TOOL_PREFIXES = ['web_search', 'web_fetch', 'code_execution'] as const;

/** What a budget decision needs to know of a job: its cap, what it spent, what may still be billed. */
export interface BudgetUse {
  maxCostUsd: number;
  /** Collected results' cost at batch prices. */
  spentUsd: number;
  /** The worst case of the batches sent and not collected yet. */
  inFlightWorstUsd: number;
}

/**
 * The most a request can be billed at batch prices, or why it cannot be bounded. Input tokens
 * are bounded by the UTF-8 bytes of its params (no token is shorter than a byte), plus the
 * tool-use prompt when it has tools; each priced at the dearest input price it may be billed at
 * (a cache write at its TTL's price when the request asks for caching, the long-prompt row where
 * there is one); output by `max_tokens` at the dearest output price; web search's per-use fee
 * `max_uses` times.
 */
export function worstCaseCostOf(
  params: MessageParams,
  table: PriceTable,
): { usd: number } | { unbounded: string } {
  const model = String(params.model);
  const row = priceForModel(model, table);
  if (row === null) return { unbounded: `model ${model} has no price in the price table` };
  const tools = Array.isArray(params.tools) ? (params.tools as unknown[]) : [];
  let feesUsd = 0;
  for (const tool of tools) {
    const type = (tool as { type?: unknown }).type;
    const server =
      typeof type === 'string' && SERVER_TOOL_PREFIXES.some((prefix) => type.startsWith(prefix));
    const maxUses = (tool as { max_uses?: unknown }).max_uses;
    if (server && typeof maxUses !== 'number') {
      return { unbounded: `server tool ${type} has no max_uses` };
    }
    // Web search is billed per use (not discounted in batches); web fetch adds only tokens.
    if (server && type.startsWith('web_search')) {
      feesUsd += (maxUses as number) * webSearchUsdPerUse(table);
    }
  }
  const media = mediaBound(params.messages);
  if ('unbounded' in media) return media;
  const priceRows = row.longPrompt ? [row.prices, row.longPrompt.prices] : [row.prices];
  const ttl = cacheTtlOf(params);
  const inputPrice = Math.max(...priceRows.map((prices) => dearestInputPrice(prices, ttl)));
  const outputPrice = Math.max(...priceRows.map((prices) => prices.output));
  const inputTokens =
    Buffer.byteLength(JSON.stringify(params), 'utf8') +
    (tools.length > 0 ? TOOL_PROMPT_TOKENS_BOUND : 0) +
    media.tokens;
  const outputTokens = Number(params.max_tokens);
  const standard = inputTokens * inputPrice + outputTokens * outputPrice;
  return { usd: (standard / 1_000_000) * table.batchDiscount + feesUsd };
}

/**
 * Tokens the content blocks may add beyond their bytes: an image by URL or file id adds at most
 * IMAGE_TOKENS_BOUND; a document that is not plain text (a PDF's pages become images) has none.
 */
function mediaBound(content: unknown): { tokens: number } | { unbounded: string } {
  let tokens = 0;
  const blocks: unknown[] = [content];
  while (blocks.length > 0) {
    const value = blocks.pop();
    if (typeof value !== 'object' || value === null) continue;
    if (Array.isArray(value)) {
      blocks.push(...value);
      continue;
    }
    const block = value as { type?: unknown; source?: { type?: unknown } };
    if (block.type === 'document' && block.source?.type !== 'text') {
      return { unbounded: 'a document that is not plain text has no token bound' };
    }
    if (block.type === 'image' && block.source?.type !== 'base64') tokens += IMAGE_TOKENS_BOUND;
    blocks.push(...Object.values(value));
  }
  return { tokens };
}

function dearestInputPrice(prices: TokenPrices, ttl: '5m' | '1h' | null): number {
  if (ttl === null) return prices.input;
  const write = ttl === '1h' ? (prices.cacheWrite1h ?? prices.input * 2) : prices.cacheWrite;
  return Math.max(prices.input, write);
}

/**
 * How many of the next requests (their worst cases, in sending order) may be sent without the
 * worst case of what is in flight plus what was spent passing the cap: the longest prefix that fits.
 * @example roomInBudget({ maxCostUsd: 1, spentUsd: 0.2, inFlightWorstUsd: 0.3 }, [0.2, 0.2, 0.2]) // 2
 */
export function roomInBudget(use: BudgetUse, worstCases: readonly number[]): number {
  let committed = use.spentUsd + use.inFlightWorstUsd;
  let fitting = 0;
  for (const worst of worstCases) {
    committed += worst;
    if (committed > use.maxCostUsd) break;
    fitting += 1;
  }
  return fitting;
}

/**
 * Why a budgeted job cannot be held to its budget (its first request that cannot be bounded), or
 * undefined; `budget` names the budget in the message (default: maxCostUsd).
 */
export function unboundedBudgetProblem(
  requests: ReadonlyArray<{ custom_id: string; params: MessageParams }>,
  table: PriceTable,
  budget = 'maxCostUsd',
): string | undefined {
  for (const request of requests) {
    const worst = worstCaseCostOf(request.params, table);
    if ('unbounded' in worst) {
      return `${budget} cannot be guaranteed: request ${request.custom_id}: ${worst.unbounded}`;
    }
  }
  return undefined;
}
