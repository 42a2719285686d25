import { TokenBucket } from '../token-bucket.js';
import type { AdvanceableClock } from './advanceable-clock.js';
import { BatchRegistry } from './batch-registry.js';
import { SeededRandom } from './seeded-random.js';
import {
  type FaultSettings,
  type InjectedFaultKind,
  mergeFaults,
  NO_FAULTS,
  type ResolvedSimulatorSettings,
  type SimulatorStats,
} from './simulator.options.js';

/** Everything one running simulator knows: its batches, settings, faults and counters. */
export class SimulatorState {
  readonly registry = new BatchRegistry();
  readonly random: SeededRandom;
  readonly rateLimit: TokenBucket | undefined;
  httpRequests = 0;
  rateLimited = 0;
  tokenCounts = 0;
  readonly faultsInjected: Record<InjectedFaultKind, number> = {
    rate_limit: 0,
    overloaded: 0,
    server_error: 0,
    connection_reset: 0,
    response_loss: 0,
    slow: 0,
    not_found: 0,
    results_cut: 0,
  };
  #faults: FaultSettings;

  constructor(
    readonly clock: AdvanceableClock,
    readonly settings: ResolvedSimulatorSettings,
    faults: Partial<FaultSettings>,
  ) {
    this.random = new SeededRandom(settings.seed);
    this.#faults = mergeFaults(NO_FAULTS, faults);
    this.rateLimit =
      settings.requestsPerMinute === undefined
        ? undefined
        : new TokenBucket(settings.requestsPerMinute, this.nowMs());
  }

  get faults(): FaultSettings {
    return this.#faults;
  }

  setFaults(update: Partial<FaultSettings>): void {
    this.#faults = mergeFaults(this.#faults, update);
  }

  /** The simulator's time in epoch ms, with every batch brought up to it. */
  nowMs(): number {
    const now = this.clock.now().getTime();
    this.registry.settle(now);
    return now;
  }

  stats(): SimulatorStats {
    this.nowMs();
    return {
      batchesCreated: this.registry.batchesCreated,
      requestsReceived: this.registry.requestsReceived,
      resubmittedAfterSuccess: this.registry.resubmittedAfterSuccess,
      httpRequests: this.httpRequests,
      rateLimited: this.rateLimited,
      tokenCounts: this.tokenCounts,
      faultsInjected: { ...this.faultsInjected },
    };
  }
}
