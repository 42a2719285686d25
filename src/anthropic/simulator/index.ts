export type { AdvanceableClock } from './advanceable-clock.js';
export type {
  BatchEndpoint,
  FaultSettings,
  HttpFaultRates,
  InjectedResultErrorType,
  SimulatorOptions,
  SimulatorStats,
} from './simulator.options.js';
export { type RunningSimulator, startSimulator } from './start-simulator.js';
