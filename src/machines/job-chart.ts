import type { StateValue } from 'xstate';
import type { JobEvent } from '../domain/job.events.js';
import { jobMachine } from './job.machine.js';
import { applyEvents, emptySnapshot, type JobSnapshot, stepOf } from './job-snapshot.js';

/** One state of the job machine; `id` is its dotted path (`processing.waiting`). */
export interface ChartState {
  id: string;
  type: 'atomic' | 'compound' | 'parallel' | 'final' | 'history';
  /** The enclosing state's id, or null at the top. */
  parent: string | null;
  /** A compound state's first child, or null. */
  initial: string | null;
}

/** One transition of the definition: in `from`, `event` leads to `to` (null: stays, updating the job). */
export interface ChartTransition {
  from: string;
  event: string;
  to: string | null;
  guard: string | null;
}

/** The job machine as data: what a chart draws. */
export interface MachineDefinition {
  id: string;
  initial: string;
  states: ChartState[];
  transitions: ChartTransition[];
}

/** One event of a job's stream as the machine took it. */
export interface TakenTransition {
  version: number;
  event: string;
  from: string;
  to: string;
  recordedAt: string;
}

/** A job's chart: the definition, where the job is, and how it got there. */
export interface JobChart {
  machine: MachineDefinition;
  current: { state: string; step: string | null };
  transitions: TakenTransition[];
}

/** An event of a job's stream with what the chart needs of its record. */
export interface ChartEvent {
  version: number;
  event: JobEvent;
  recordedAt: string;
}

interface StateNodeLike {
  path: string[];
  type: ChartState['type'];
  states: Record<string, StateNodeLike>;
  initial?: { target: readonly StateNodeLike[] } | undefined;
  transitions: Map<string, ReadonlyArray<TransitionLike>>;
}

interface TransitionLike {
  target?: readonly StateNodeLike[] | undefined;
  guard?: unknown;
}

let definition: MachineDefinition | undefined;

/** The job machine's states and transitions, read from `jobMachine` itself (computed once). */
export function describeJobMachine(): MachineDefinition {
  definition ??= buildDefinition(jobMachine.root as unknown as StateNodeLike);
  return definition;
}

/**
 * Replays a job's events through the machine (pure `transition`, no side effects) and says,
 * for each, which state it left and which it entered.
 */
export function chartJob(events: readonly ChartEvent[]): JobChart {
  let snapshot = emptySnapshot();
  const transitions: TakenTransition[] = [];
  for (const { version, event, recordedAt } of events) {
    const from = stateId(snapshot.value);
    snapshot = applyEvents(snapshot, [event]);
    transitions.push({ version, event: event.type, from, to: stateId(snapshot.value), recordedAt });
  }
  return {
    machine: describeJobMachine(),
    current: currentOf(snapshot),
    transitions,
  };
}

/** A state value as a dotted id: `'queued'`, `{processing: 'waiting'}` -> `'processing.waiting'`. */
export function stateId(value: StateValue): string {
  if (typeof value === 'string') return value;
  const [key, inner] = Object.entries(value)[0] ?? [];
  if (key === undefined) return '';
  return inner === undefined ? key : `${key}.${stateId(inner as StateValue)}`;
}

function currentOf(snapshot: JobSnapshot): JobChart['current'] {
  return { state: stateId(snapshot.value), step: stepOf(snapshot) };
}

function buildDefinition(root: StateNodeLike): MachineDefinition {
  const states: ChartState[] = [];
  const transitions: ChartTransition[] = [];
  const visit = (node: StateNodeLike, parent: string | null) => {
    const id = node.path.join('.');
    states.push({ id, type: node.type, parent, initial: initialOf(node) });
    for (const [event, candidates] of node.transitions) {
      for (const candidate of candidates) {
        const target = candidate.target?.[0];
        transitions.push({
          from: id,
          event,
          to: target ? target.path.join('.') : null,
          guard: guardName(candidate.guard),
        });
      }
    }
    for (const child of Object.values(node.states)) visit(child, id);
  };
  for (const child of Object.values(root.states)) visit(child, null);
  return { id: jobMachine.id, initial: initialOf(root) ?? '', states, transitions };
}

function initialOf(node: StateNodeLike): string | null {
  const target = node.initial?.target[0];
  return target ? target.path.join('.') : null;
}

function guardName(guard: unknown): string | null {
  if (guard === undefined || guard === null) return null;
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'object' && typeof (guard as { type?: unknown }).type === 'string') {
    return (guard as { type: string }).type;
  }
  return 'inline';
}

/**
 * The chart as a Mermaid `stateDiagram-v2`: the machine's states (nested ones inside their
 * parent) and state-changing transitions, the states the job passed through marked `visited`
 * and the one it is in marked `current`.
 */
export function chartToMermaid(
  chart: Pick<JobChart, 'machine' | 'current' | 'transitions'>,
): string {
  const { machine } = chart;
  const id = (state: string) => state.replaceAll('.', '_');
  const lines = ['stateDiagram-v2'];
  const drawState = (state: ChartState, indent: string) => {
    const children = machine.states.filter((s) => s.parent === state.id);
    const name = state.id.split('.').at(-1)!;
    if (children.length === 0) {
      lines.push(`${indent}state "${name}" as ${id(state.id)}`);
      return;
    }
    lines.push(`${indent}state ${id(state.id)} {`);
    if (state.initial) lines.push(`${indent}  [*] --> ${id(state.initial)}`);
    for (const child of children) drawState(child, `${indent}  `);
    lines.push(`${indent}}`);
  };
  lines.push(`  [*] --> ${id(machine.initial)}`);
  for (const state of machine.states.filter((s) => s.parent === null)) drawState(state, '  ');
  const drawn = new Set<string>();
  for (const t of machine.transitions) {
    if (t.to === null || t.to === t.from) continue;
    const line = `  ${id(t.from)} --> ${id(t.to)} : ${t.event}${t.guard ? ` [${t.guard}]` : ''}`;
    if (!drawn.has(line)) lines.push(line);
    drawn.add(line);
  }
  for (const state of machine.states.filter((s) => s.type === 'final')) {
    lines.push(`  ${id(state.id)} --> [*]`);
  }
  const visited = new Set(chart.transitions.flatMap((t) => [t.from, t.to]));
  visited.delete(chart.current.state);
  lines.push('  classDef visited fill:#dbeafe,stroke:#2563eb');
  lines.push('  classDef current fill:#fde68a,stroke:#d97706,stroke-width:3px');
  for (const state of visited) lines.push(`  class ${id(state)} visited`);
  lines.push(`  class ${id(chart.current.state)} current`);
  return lines.join('\n');
}
