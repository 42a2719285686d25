import { median } from '../support.js';

/** The nearest-rank percentile `p` (0–100) of `values`. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export interface LatencySummary {
  median: number;
  p99: number;
}

export function summarizeLatencies(values: readonly number[]): LatencySummary {
  return { median: median(values), p99: percentile(values, 99) };
}
