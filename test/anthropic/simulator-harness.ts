import Anthropic from '@anthropic-ai/sdk';
import { afterEach } from 'vitest';
import type { BatchRequestInput } from '../../src/anthropic/batch.types.js';
import { AnthropicGateway, type AnthropicGatewayOptions } from '../../src/anthropic/index.js';
import {
  type RunningSimulator,
  type SimulatorOptions,
  startSimulator,
} from '../../src/anthropic/simulator/index.js';
import { ManualClock } from '../../src/domain/clock.js';

const running: RunningSimulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((sim) => sim.stop()));
});

export const START = new Date('2026-01-05T10:00:00.000Z');

export interface TestRig {
  sim: RunningSimulator;
  clock: ManualClock;
  /** The unmodified SDK, pointed at the simulator, retries off. */
  sdk: Anthropic;
  /** Every wait the gateway asked for, in ms, in order. */
  sleeps: number[];
  /** A gateway on the simulator whose waits move the manual clock instead of real time. */
  gateway(options?: AnthropicGatewayOptions): AnthropicGateway;
}

/** The seed a rig's simulator draws its faults and outcomes from unless a test names another. */
export const RIG_SEED = 1;

/**
 * A simulator on a real port, on a manual clock, stopped after the test. Its draws are seeded
 * (RIG_SEED): a test that counts faults sees the same ones every run.
 */
export async function startRig(options: SimulatorOptions = {}): Promise<TestRig> {
  const clock = new ManualClock(START);
  const sim = await startSimulator({ clock, seed: RIG_SEED, ...options });
  running.push(sim);
  const sleeps: number[] = [];
  return {
    sim,
    clock,
    sleeps,
    sdk: new Anthropic({ apiKey: 'test-key', baseURL: sim.url, maxRetries: 0 }),
    gateway: (gatewayOptions = {}) =>
      new AnthropicGateway({
        apiKey: 'test-key',
        baseURL: sim.url,
        clock,
        // Virtual time: a sleeper wakes when the clock reaches its wake-up time, so
        // concurrent sleepers overlap as they would in real time instead of adding up.
        sleep: async (ms, signal) => {
          signal?.throwIfAborted();
          sleeps.push(ms);
          const wakeAt = clock.now().getTime() + ms;
          await Promise.resolve();
          if (clock.now().getTime() < wakeAt) clock.set(new Date(wakeAt));
        },
        random: () => 0.5,
        ...gatewayOptions,
      }),
  };
}

/** `count` valid requests `r0`, `r1`, ... with distinct prompts, as the gateway takes them. */
export function requests(count: number, prefix = 'r'): BatchRequestInput[] {
  return Array.from({ length: count }, (_, i) => ({
    custom_id: `${prefix}${i}`,
    params: {
      model: 'claude-sonnet-5-5',
      max_tokens: 256,
      messages: [{ role: 'user', content: prompt(i) }],
    },
  }));
}

/** The same requests in the SDK's create shape. */
export function sdkRequests(
  count: number,
  prefix = 'r',
): Anthropic.Messages.BatchCreateParams.Request[] {
  return Array.from({ length: count }, (_, i) => ({
    custom_id: `${prefix}${i}`,
    params: {
      model: 'claude-sonnet-5-5',
      max_tokens: 256,
      messages: [{ role: 'user', content: prompt(i) }],
    },
  }));
}

const prompt = (i: number) => `Question number ${i}`;

/** Collects an async iterable (Array.fromAsync arrives in Node 22). */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** A raw HTTP call to the simulator with the headers the SDK would send. */
export function rawFetch(sim: RunningSimulator, path: string, init: RequestInit = {}) {
  return fetch(`${sim.url}${path}`, {
    ...init,
    headers: {
      'x-api-key': 'test-key',
      'anthropic-version': '2023-06-01',
      'content-type': 'application/json',
      ...init.headers,
    },
  });
}

/** The JSON body of an answer, as the API shapes errors. */
export async function errorBody(response: Response) {
  return (await response.json()) as {
    type: string;
    error: { type: string; message: string };
    request_id: string;
  };
}

/** The Message of a succeeded result line; fails the test on any other outcome. */
export function succeededMessage<M>(
  line: { result: { type: string; message?: M } } | undefined,
): M {
  if (line?.result.type !== 'succeeded' || !line.result.message) {
    throw new Error(`expected a succeeded result, got ${JSON.stringify(line)}`);
  }
  return line.result.message;
}
