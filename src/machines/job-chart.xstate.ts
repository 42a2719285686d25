import type { ChartTransition, MachineDefinition } from './job-chart.js';

/** A transition as XState's config writes it; targets are absolute (`#job.processing`). */
export interface XStateTransitionConfig {
  target?: string;
  guard?: string;
}

/** One state of an XState machine config. */
export interface XStateStateConfig {
  type?: 'compound' | 'parallel' | 'final' | 'history';
  initial?: string;
  on?: Record<string, XStateTransitionConfig | XStateTransitionConfig[]>;
  states?: Record<string, XStateStateConfig>;
}

/** An XState machine config (`createMachine(config)` accepts it; guards are named, not given). */
export interface XStateMachineConfig extends XStateStateConfig {
  id: string;
}

/**
 * The machine definition as an XState-compatible config: the same states, nesting and
 * transitions (guards by name; actions left out, the runtime's own).
 */
export function chartToXStateConfig(machine: MachineDefinition): XStateMachineConfig {
  const configs = new Map<string, XStateStateConfig>();
  const root: XStateMachineConfig = { id: machine.id, initial: machine.initial, states: {} };
  for (const state of machine.states) {
    const config: XStateStateConfig = {};
    if (state.type === 'final' || state.type === 'parallel' || state.type === 'history') {
      config.type = state.type;
    }
    if (state.initial) config.initial = state.initial.split('.').at(-1)!;
    configs.set(state.id, config);
    const parent = state.parent === null ? root : configs.get(state.parent)!;
    parent.states ??= {};
    parent.states[state.id.split('.').at(-1)!] = config;
  }
  for (const t of machine.transitions) {
    const config = configs.get(t.from)!;
    config.on ??= {};
    const entry = transitionConfig(machine.id, t);
    const existing = config.on[t.event];
    if (existing === undefined) config.on[t.event] = entry;
    else config.on[t.event] = [...(Array.isArray(existing) ? existing : [existing]), entry];
  }
  return root;
}

function transitionConfig(machineId: string, t: ChartTransition): XStateTransitionConfig {
  const config: XStateTransitionConfig = {};
  if (t.to !== null) config.target = `#${machineId}.${t.to}`;
  if (t.guard) config.guard = t.guard;
  return config;
}
