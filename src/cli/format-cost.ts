import { type CostSplit, webSearchUsdOf } from '../domain/job-cost.js';

const usd = (value: number) => `$${value.toFixed(4)}`;

/** A cost split on one line, the parts in Anthropic's order and the saving against standard prices. */
export function formatCostSplit(cost: CostSplit): string {
  return (
    `input ${usd(cost.inputUsd)} + output ${usd(cost.outputUsd)} + cache write ` +
    `${usd(cost.cacheWrite5mUsd)} (5 m) ${usd(cost.cacheWrite1hUsd)} (1 h) + cache read ` +
    `${usd(cost.cacheReadUsd)} + web search ${usd(webSearchUsdOf(cost))} = ${usd(cost.totalUsd)} (batch price; ${usd(cost.standardUsd)} ` +
    `outside batches, saved ${usd(cost.savingUsd)})`
  );
}

/** Cache tokens on one line, or null when there were none. */
export function formatCacheTokens(usage: {
  cacheWrite5mTokens?: number;
  cacheWrite1hTokens?: number;
  cacheReadTokens?: number;
}): string | null {
  const write5m = usage.cacheWrite5mTokens ?? 0;
  const write1h = usage.cacheWrite1hTokens ?? 0;
  const read = usage.cacheReadTokens ?? 0;
  if (write5m + write1h + read === 0) return null;
  return `${write5m} cache write (5 m) + ${write1h} cache write (1 h) + ${read} cache read tokens`;
}
