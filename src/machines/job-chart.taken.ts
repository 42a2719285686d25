import type { ChartTransition, MachineDefinition, TakenTransition } from './job-chart.js';

/** A transition of the definition as one key: `from|event|to` (`to` empty when it stays). */
export function transitionKey(t: Pick<ChartTransition, 'from' | 'event' | 'to'>): string {
  return `${t.from}|${t.event}|${t.to ?? ''}`;
}

/**
 * How many times each transition of the definition was taken (by `transitionKey`), from the
 * job's path: each step is matched to the transition the machine picks, the one on the
 * deepest state holding the event whose target leads where the job went.
 */
export function takenTransitionCounts(
  machine: MachineDefinition,
  taken: readonly TakenTransition[],
): Map<string, number> {
  const byState = new Map<string, ChartTransition[]>();
  for (const t of machine.transitions) {
    const list = byState.get(t.from) ?? [];
    list.push(t);
    byState.set(t.from, list);
  }
  const counts = new Map<string, number>();
  for (const step of taken) {
    const found = definitionTransitionOf(machine, byState, step);
    if (!found) continue;
    const key = transitionKey(found);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** Every state the job has been in (`new` first), leaves and their parents. */
export function visitedStates(
  machine: MachineDefinition,
  taken: readonly TakenTransition[],
): Set<string> {
  const visited = new Set<string>();
  for (const step of taken) {
    for (const id of [step.from, step.to]) {
      for (const state of lineageOf(machine, id)) visited.add(state);
    }
  }
  return visited;
}

/** The state and its ancestors, innermost first: `processing.waiting`, `processing`. */
export function lineageOf(machine: MachineDefinition, stateId: string): string[] {
  const parents = new Map(machine.states.map((s) => [s.id, s.parent]));
  const lineage: string[] = [];
  let current: string | null | undefined = stateId;
  while (current) {
    if (!parents.has(current)) break;
    lineage.push(current);
    current = parents.get(current);
  }
  return lineage;
}

function definitionTransitionOf(
  machine: MachineDefinition,
  byState: ReadonlyMap<string, ChartTransition[]>,
  step: TakenTransition,
): ChartTransition | undefined {
  for (const state of lineageOf(machine, step.from)) {
    const candidates = (byState.get(state) ?? []).filter((t) => t.event === step.event);
    if (candidates.length === 0) continue;
    const match = candidates.find((t) => leadsTo(machine, t, step));
    if (match) return match;
  }
  return undefined;
}

/** Whether taking `t` from `step.from` ends where the step ended (a compound target enters its initial leaf). */
function leadsTo(machine: MachineDefinition, t: ChartTransition, step: TakenTransition): boolean {
  if (t.to === null) return step.to === step.from;
  let leaf = t.to;
  for (;;) {
    const initial = machine.states.find((s) => s.id === leaf)?.initial;
    if (!initial) break;
    leaf = initial;
  }
  return leaf === step.to;
}
