import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { spawnBatchkeeper } from '../../test/chaos/support/child-process.js';
import { killOnExit } from './kill-on-exit.js';
import { type SimulatorCallCounter, startSimulatorCallCounter } from './simulator-call-counter.js';

/** `batchkeeper simulator` in a process of its own, its batches ending at once (latency 0). */
export interface BenchSimulator {
  /** Where the instances send their Message Batches calls. */
  readonly url: string;
  stop(): Promise<void>;
}

/** A simulator behind a call counter: `url` is the counter's. */
export interface CountedSimulator extends BenchSimulator {
  readonly counter: SimulatorCallCounter;
}

export async function startBenchSimulator(): Promise<BenchSimulator> {
  const folder = mkdtempSync(join(tmpdir(), 'bench-simulator-'));
  const child = spawnBatchkeeper(
    ['simulator', '--port', '0', '--latency-ms', '0'],
    {},
    join(folder, 'simulator.log'),
    'pipe',
  );
  killOnExit(child.process);
  const stop = async () => {
    child.process.kill('SIGTERM');
    await child.exited;
    rmSync(folder, { recursive: true, force: true });
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.process.stdout! }).once('line', resolve);
      void child.exited.then(() => reject(new Error('the simulator exited while starting')));
    });
    return { url, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

export async function startCountedSimulator(): Promise<CountedSimulator> {
  const simulator = await startBenchSimulator();
  const counter = await startSimulatorCallCounter(simulator.url);
  return {
    url: counter.url,
    counter,
    stop: async () => {
      await counter.stop();
      await simulator.stop();
    },
  };
}
