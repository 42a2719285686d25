import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { systemClock } from '../../domain/clock.js';
import { AdvanceableClock } from './advanceable-clock.js';
import { createSimulatorApp } from './simulator.app.js';
import {
  type FaultSettings,
  resolveSimulatorSettings,
  type SimulatorOptions,
  type SimulatorStats,
} from './simulator.options.js';
import { SimulatorState } from './simulator-state.js';

/** A simulator listening on a real port. */
export interface RunningSimulator {
  /** Base URL to give the SDK (`baseURL`), e.g. `http://127.0.0.1:41234`. */
  url: string;
  port: number;
  /** The simulator's time: the given clock (or the system's) moved on by every `advance(ms)`. */
  clock: AdvanceableClock;
  /** What /_simulator/stats answers. */
  stats(): SimulatorStats;
  /** Changes the injected faults from now on (a partial update). */
  setFaults(update: Partial<FaultSettings>): void;
  /** Stops listening and drops open connections. */
  stop(): Promise<void>;
}

/**
 * Starts a Message Batches API simulator over HTTP.
 * @example const sim = await startSimulator({ latencyMs: 50 });
 *          const client = new Anthropic({ apiKey: 'any', baseURL: sim.url });
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const clock = new AdvanceableClock(options.clock ?? systemClock);
  const state = new SimulatorState(clock, resolveSimulatorSettings(options), options.faults ?? {});
  const host = options.host ?? '127.0.0.1';
  const app = createSimulatorApp(state);
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const listening = serve({ fetch: app.fetch, hostname: host, port: options.port ?? 0 }, () =>
      resolve(listening),
    );
    listening.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    clock,
    stats: () => state.stats(),
    setFaults: (update) => state.setFaults(update),
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        if ('closeAllConnections' in server) server.closeAllConnections();
      }),
  };
}
