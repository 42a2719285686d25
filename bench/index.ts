import { fileURLToPath } from 'node:url';
import type { Figure } from './harness/figure.js';
import { LoadSampler, printTable, rowsOf, writeBenchmarksFile } from './harness/report.js';
import { benchmarks } from './registry.js';

/**
 * `npm run bench` runs every benchmark, prints one table (ours / baseline /
 * ratio or count / target / verdict) and writes it into BENCHMARKS.md.
 * `npm run bench -- NAME…` runs some; `--quick` runs all at small sizes with
 * no thresholds (CI) and writes nothing.
 */
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const names = args.filter((a) => !a.startsWith('--'));
const unknown = names.filter((n) => !(n in benchmarks));
if (unknown.length > 0) {
  console.error(
    `error: unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(benchmarks).join(', ')}`,
  );
  process.exit(2);
}
const selected = names.length > 0 ? names : Object.keys(benchmarks);

const load = new LoadSampler();
const figures: Figure[] = [];
let crashed = 0;
for (const name of selected) {
  const started = performance.now();
  console.log(`\n== ${name}${quick ? ' (quick)' : ''} ==`);
  try {
    figures.push(...(await benchmarks[name]!({ quick })));
  } catch (error) {
    crashed += 1;
    console.error(`error: benchmark ${name} failed:`, error);
  }
  console.log(`(${name}: ${((performance.now() - started) / 1000).toFixed(1)} s)`);
}
const machine = load.stop();
const rows = rowsOf(figures, quick);
printTable(rows);
console.log(
  `\n${machine.cores} cores, load average ${machine.min.toFixed(1)}–${machine.max.toFixed(1)} during the run${quick ? ' (quick: sizes too small to judge, no verdicts)' : ''}`,
);
if (!quick && crashed === 0) {
  await writeBenchmarksFile(
    fileURLToPath(new URL('../BENCHMARKS.md', import.meta.url)),
    rows,
    selected,
    machine,
  );
  console.log('BENCHMARKS.md updated');
}
const failed = rows.filter((r) => r.verdict === 'FAIL').length;
process.exit(crashed > 0 || failed > 0 ? 1 : 0);
