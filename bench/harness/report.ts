import { readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { type Figure, statsOf, type Verdict, verdictOf } from './figure.js';

const START = '<!-- bench:table:start -->';
const END = '<!-- bench:table:end -->';

/** Samples the 1-minute load average while benchmarks run, to say how busy the machine was. */
export class LoadSampler {
  readonly #samples: number[] = [loadavg()[0]!];
  readonly #timer = setInterval(() => this.#samples.push(loadavg()[0]!), 5_000).unref();

  stop(): { cores: number; min: number; max: number; mean: number } {
    clearInterval(this.#timer);
    this.#samples.push(loadavg()[0]!);
    const mean = this.#samples.reduce((a, b) => a + b, 0) / this.#samples.length;
    return {
      cores: cpus().length,
      min: Math.min(...this.#samples),
      max: Math.max(...this.#samples),
      mean,
    };
  }
}

function fmt(value: number, kind: Figure['kind']): string {
  if (!Number.isFinite(value)) return '—';
  if (kind === 'count') return value >= 100 ? value.toFixed(0) : value.toFixed(1);
  return value >= 10 ? value.toFixed(1) : value >= 0.1 ? value.toFixed(2) : value.toFixed(3);
}

function rangeOf(figure: Figure): string {
  const s = statsOf(figure.values);
  const unit = figure.kind === 'ratio' ? '×' : '';
  if (figure.values.length <= 1) return `${fmt(s.median, figure.kind)}${unit}`;
  return `${fmt(s.min, figure.kind)} / **${fmt(s.median, figure.kind)}** / ${fmt(s.max, figure.kind)}${unit}`;
}

function targetOf(figure: Figure): string {
  if (!figure.target) return '—';
  const { op, value, label } = figure.target;
  return `${op === '>=' ? '≥' : '≤'} ${value}${figure.kind === 'ratio' ? '×' : ''}${label ? ` ${label}` : ''}`;
}

export interface ReportRow {
  readonly figure: Figure;
  readonly verdict: Verdict;
}

export function rowsOf(figures: readonly Figure[], quick: boolean): ReportRow[] {
  return figures.map((figure) => ({ figure, verdict: verdictOf(figure, quick) }));
}

const HEADER = [
  '| benchmark | figure | ours | baseline (same run) | ratio or count (min / **median** / max) | target | verdict |',
  '| --- | --- | --- | --- | --- | --- | --- |',
];

function markdownRow({ figure, verdict }: ReportRow): string {
  const cell = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ');
  return `| ${[figure.benchmark, figure.name, figure.ours, figure.baseline, rangeOf(figure), targetOf(figure), verdict].map(cell).join(' | ')} |`;
}

/** Prints the table of every figure measured in this run. */
export function printTable(rows: readonly ReportRow[]): void {
  console.log(`\n${HEADER.join('\n')}`);
  for (const row of rows) console.log(markdownRow(row));
  const notes = rows.filter((r) => r.figure.note);
  if (notes.length > 0) console.log('');
  for (const { figure } of notes)
    console.log(`- ${figure.benchmark} / ${figure.name}: ${figure.note}`);
}

/**
 * Writes the table into BENCHMARKS.md between its markers. Rows of benchmarks
 * this run did not measure are kept as they were (each block says when it ran).
 */
export async function writeBenchmarksFile(
  path: string,
  rows: readonly ReportRow[],
  ran: readonly string[],
  load: { cores: number; min: number; max: number; mean: number },
): Promise<void> {
  const text = await readFile(path, 'utf8');
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${path} has no ${START} … ${END} block`);
  const previous = text
    .slice(start + START.length, end)
    .split('\n')
    .filter(
      (line) =>
        line.startsWith('| ') && !line.startsWith('| benchmark') && !line.startsWith('| ---'),
    );
  const kept = previous.filter((line) => !ran.includes(line.slice(2).split(' | ')[0]!.trim()));
  const when = new Date().toISOString().slice(0, 16).replace('T', ' ');
  const context = `Measured ${when} UTC (${ran.join(', ')}) on ${load.cores} cores, load average ${load.min.toFixed(1)}–${load.max.toFixed(1)} (mean ${load.mean.toFixed(1)}) during the run.`;
  const keptNote =
    kept.length > 0
      ? ' Rows of the other benchmarks are from an earlier run: see the changelog.'
      : '';
  const block = [
    START,
    `${context}${keptNote}`,
    '',
    ...HEADER,
    ...rows.map(markdownRow),
    ...kept,
    END,
  ].join('\n');
  await writeFile(path, text.slice(0, start) + block + text.slice(end + END.length));
}
