import { median } from '../support.js';

/** How a figure is judged against its target. */
export interface Target {
  /** `>=`: the figure must reach `value`; `<=`: it must not exceed it. */
  readonly op: '>=' | '<=';
  readonly value: number;
  /** Printed beside the target, e.g. "× graphile-worker". */
  readonly label?: string;
}

/**
 * One row of the benchmark table. `kind: 'ratio'` figures are per-round ratios
 * against a baseline measured in the same run; `kind: 'count'` figures are
 * counted (statements, transactions, calls) and judged as they are.
 */
export interface Figure {
  /** The benchmark that measured it (its name on the command line). */
  readonly benchmark: string;
  /** What the row measures, e.g. "lifecycle, 1 instance". */
  readonly name: string;
  /** Our side, formatted for people (context only, never judged). */
  readonly ours: string;
  /** The baseline side, formatted, naming the peer. */
  readonly baseline: string;
  readonly kind: 'ratio' | 'count';
  /** Per-round values (ratios, or counts per round); the verdict uses their median. */
  readonly values: readonly number[];
  readonly target?: Target;
  /** A line of context printed under the table (e.g. what the baseline is). */
  readonly note?: string;
}

export type Verdict = 'PASS' | 'FAIL' | 'n/a';

export interface FigureStats {
  readonly min: number;
  readonly median: number;
  readonly max: number;
}

export function statsOf(values: readonly number[]): FigureStats {
  if (values.length === 0) return { min: Number.NaN, median: Number.NaN, max: Number.NaN };
  return { min: Math.min(...values), median: median(values), max: Math.max(...values) };
}

/** PASS/FAIL on the median against the target; `n/a` with no target or in quick mode. */
export function verdictOf(figure: Figure, quick: boolean): Verdict {
  if (quick || !figure.target || figure.values.length === 0) return 'n/a';
  const { median: m } = statsOf(figure.values);
  if (!Number.isFinite(m)) return 'FAIL';
  return figure.target.op === '>='
    ? m >= figure.target.value
      ? 'PASS'
      : 'FAIL'
    : m <= figure.target.value
      ? 'PASS'
      : 'FAIL';
}

/** What a benchmark is handed: `quick` means small sizes and no thresholds (CI). */
export interface BenchContext {
  readonly quick: boolean;
}

export type Benchmark = (context: BenchContext) => Promise<readonly Figure[]>;

/** Formats a rate or a duration with a unit, e.g. `rate(912.3, 'jobs/s')` → "912 jobs/s". */
export function formatNumber(
  value: number,
  unit: string,
  digits = value >= 100 ? 0 : value >= 10 ? 1 : 2,
): string {
  return `${value.toFixed(digits)} ${unit}`.trim();
}
