/**
 * Lines per second of a typical job-event log line (the worker's, through the manager's logger)
 * written by createLogger to a sink that drops them: what the logger itself costs a line.
 * Run: node bin/run-ts bench/edges/log-line-rate.ts
 */
import { createLogger } from '../../src/observability/logger.js';

const LINES = 200_000;
const ROUNDS = 5;

const sink = { write: (_line: string) => {} };
const logger = createLogger({ destination: sink, base: { instanceId: 'host-1234' } }).child({
  service: 'job-manager',
});
const fields = {
  jobId: 'job_mx4vyiduce1fc5293f46e727',
  batchId: 'msgbatch_0100000003tr5xTLEIfBHa5g',
  attempt: 2,
};

function round(): number {
  const started = process.hrtime.bigint();
  for (let i = 0; i < LINES; i++) logger.info(fields, 'took over a job whose lease lapsed');
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return LINES / seconds;
}

round(); // warm-up
const rates = Array.from({ length: ROUNDS }, round).sort((a, b) => a - b);
const median = rates[Math.floor(ROUNDS / 2)]!;
console.log(
  `job-event log line: ${Math.round(median).toLocaleString('en')} lines/s (median of ${ROUNDS} rounds of ${LINES.toLocaleString('en')}), ${(1e6 / median).toFixed(2)} µs a line`,
);
