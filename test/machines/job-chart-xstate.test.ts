import { describe, expect, it } from 'vitest';
import { createMachine, initialTransition, transition } from 'xstate';
import { describeJobMachine, stateId } from '../../src/machines/job-chart.js';
import { chartToXStateConfig } from '../../src/machines/job-chart.xstate.js';
import { jobCreated } from '../support/job-histories.js';

interface NodeLike {
  path: string[];
  type: string;
  states: Record<string, NodeLike>;
  transitions: Map<string, ReadonlyArray<{ target?: readonly NodeLike[]; guard?: unknown }>>;
}

/** The states and transitions of a machine XState built, as `from|event|to|guard` lines. */
function shapeOf(root: NodeLike) {
  const states: string[] = [];
  const transitions: string[] = [];
  const visit = (node: NodeLike) => {
    const id = node.path.join('.');
    states.push(`${id}:${node.type}`);
    for (const [event, list] of node.transitions) {
      for (const t of list) {
        const guard =
          typeof t.guard === 'string' ? t.guard : ((t.guard as { type?: string })?.type ?? '');
        transitions.push(`${id}|${event}|${t.target?.[0]?.path.join('.') ?? ''}|${guard}`);
      }
    }
    for (const child of Object.values(node.states)) visit(child);
  };
  for (const child of Object.values(root.states)) visit(child);
  return { states: states.sort(), transitions: transitions.sort() };
}

describe('the job machine as an XState config', () => {
  it('builds, with createMachine, a machine of the same states and transitions', () => {
    const machine = describeJobMachine();
    const config = chartToXStateConfig(machine);
    const rebuilt = createMachine(config as Parameters<typeof createMachine>[0]);
    const shape = shapeOf(rebuilt.root as unknown as NodeLike);
    expect(shape.states).toEqual(machine.states.map((s) => `${s.id}:${s.type}`).sort());
    expect(shape.transitions).toEqual(
      machine.transitions.map((t) => `${t.from}|${t.event}|${t.to ?? ''}|${t.guard ?? ''}`).sort(),
    );
  });

  it('is plain JSON that walks like the job machine', () => {
    const config = JSON.parse(JSON.stringify(chartToXStateConfig(describeJobMachine())));
    const rebuilt = createMachine(config);
    const at = new Date('2026-03-14T09:00:00.000Z');
    let [snapshot] = initialTransition(rebuilt);
    for (const event of [jobCreated('j', at), { type: 'JobQueued' }, { type: 'JobStarted' }]) {
      [snapshot] = transition(rebuilt, snapshot, event);
    }
    expect(stateId(snapshot.value)).toBe('processing.submitting');
  });
});
