import { benchEventAppend } from './event-append.bench.js';
import { benchLargeJob } from './large-job.bench.js';

/** Every benchmark, each printing its figure against a baseline measured in the same run. */
const benches: Record<string, () => Promise<{ pass: boolean }>> = {
  'event-append': benchEventAppend,
  'large-job': benchLargeJob,
};

const only = process.argv.slice(2);
let failed = 0;
for (const [name, run] of Object.entries(benches)) {
  if (only.length > 0 && !only.includes(name)) continue;
  const { pass } = await run();
  if (!pass) failed += 1;
}
process.exit(failed === 0 ? 0 : 1);
