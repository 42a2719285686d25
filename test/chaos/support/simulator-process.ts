import { createInterface } from 'node:readline';
import type { SimulatorStats } from '../../../src/anthropic/simulator/simulator.options.js';
import { spawnBatchkeeper } from './child-process.js';

/** `batchkeeper simulator` in a process of its own, shared by every instance. */
export interface SimulatorProcess {
  readonly url: string;
  stats(): Promise<SimulatorStats>;
  stop(): Promise<void>;
}

/** Starts it with `flags` (`--latency-ms`, `--error-rate`...) and waits for the URL it prints. */
export async function startSimulatorProcess(
  flags: string[],
  logFile: string,
): Promise<SimulatorProcess> {
  const child = spawnBatchkeeper(['simulator', '--port', '0', ...flags], {}, logFile, 'pipe');
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.process.stdout! }).once('line', resolve);
    void child.exited.then((exit) =>
      reject(new Error(`the simulator exited (${JSON.stringify(exit)}); see ${logFile}`)),
    );
  });
  return {
    url,
    stats: async () => (await (await fetch(`${url}/_simulator/stats`)).json()) as SimulatorStats,
    stop: async () => {
      child.process.kill('SIGTERM');
      await child.exited;
    },
  };
}
