import type { SeededRandom } from './seeded-random.js';
import type { HttpFaultRates } from './simulator.options.js';

/** The fault (if any) one call gets. The refusals exclude each other; slowness comes on top. */
export interface FaultDraw {
  refusal:
    | 'rate_limit'
    | 'overloaded'
    | 'server_error'
    | 'connection_reset'
    | 'response_loss'
    | null;
  slow: boolean;
}

/** Draws one call's fault from the seeded random source. */
export function drawFault(rates: HttpFaultRates, random: SeededRandom): FaultDraw {
  const refusalDraw = random.next();
  const slowDraw = random.next();
  const refusals: [FaultDraw['refusal'], number][] = [
    ['rate_limit', rates.rateLimitRate],
    ['overloaded', rates.overloadRate],
    ['server_error', rates.serverErrorRate],
    ['connection_reset', rates.connectionResetRate],
    ['response_loss', rates.responseLossRate],
  ];
  let threshold = 0;
  let refusal: FaultDraw['refusal'] = null;
  for (const [kind, rate] of refusals) {
    threshold += rate;
    if (refusalDraw < threshold) {
      refusal = kind;
      break;
    }
  }
  return { refusal, slow: slowDraw < rates.slowRate };
}
