import { pairedRounds } from '../support.js';
import { type HttpLoadOptions, httpLoad } from './http-load.js';

export interface RouteRatesOptions {
  /** The full URL of each side's route. */
  urls: { ours: string; peer: string };
  /** What every request looks like (connections, method, body). */
  load: Omit<HttpLoadOptions, 'url' | 'length'>;
  /** Requests each side is sent before anything counts. */
  warmUpRequests: number;
  rounds: number;
  secondsPerRound: number;
}

/**
 * 2xx answers per second of our route and the peer's, per round: both warmed up first
 * (connections, caches, the JIT), then loaded in paired, alternating rounds.
 */
export async function routeRates(
  options: RouteRatesOptions,
): Promise<{ ours: number[]; peer: number[] }> {
  const sides = ['ours', 'peer'] as const;
  const load = (side: (typeof sides)[number], length: HttpLoadOptions['length']) =>
    httpLoad({ ...options.load, url: options.urls[side], length });
  for (const side of sides) await load(side, { requests: options.warmUpRequests });
  return pairedRounds(sides, options.rounds, async (side) => {
    const result = await load(side, { seconds: options.secondsPerRound });
    return result.requestsPerSecond;
  });
}
