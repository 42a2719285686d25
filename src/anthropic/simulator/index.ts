export type {
  BatchEndpoint,
  FaultSettings,
  HttpFaultRates,
  InjectedResultErrorType,
  SimulatorOptions,
  SimulatorStats,
} from './simulator.options.js';
export type { AdvanceableClock } from './simulator-state.js';
export { type RunningSimulator, startSimulator } from './start-simulator.js';
