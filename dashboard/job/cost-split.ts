import type { components } from '../api/openapi.generated.js';
import { formatUsd } from '../format.js';

/** A job's cost by kind, as Anthropic bills it, and the saving against standard prices. */
export function costSplitText(cost: NonNullable<components['schemas']['CostSplit']>): string {
  return (
    `input ${formatUsd(cost.inputUsd)} · output ${formatUsd(cost.outputUsd)} · cache write ` +
    `${formatUsd(cost.cacheWrite5mUsd)} (5 m), ${formatUsd(cost.cacheWrite1hUsd)} (1 h) · ` +
    `cache read ${formatUsd(cost.cacheReadUsd)} · web search ${formatUsd(cost.webSearchUsd ?? 0)} · saved ${formatUsd(cost.savingUsd)} of ` +
    `${formatUsd(cost.standardUsd)} outside batches`
  );
}
