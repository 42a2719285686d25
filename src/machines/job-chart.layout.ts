import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api.js';
import type { ChartState, ChartTransition, MachineDefinition } from './job-chart.js';
import { transitionKey } from './job-chart.taken.js';
import { runElkLayout } from './run-elk-layout.js';

/** A state placed on the page; coordinates are absolute, in SVG user units. */
export interface PlacedState {
  state: ChartState;
  x: number;
  y: number;
  width: number;
  height: number;
  /** The transitions that keep the job in this state (drawn as lines inside it). */
  inner: ChartTransition[];
}

/** A transition between two states, routed. */
export interface PlacedEdge {
  transition: ChartTransition;
  key: string;
  points: Array<{ x: number; y: number }>;
  label: { x: number; y: number; width: number; height: number };
}

/** Where a compound state's initial marker is and the edge into its first child. */
export interface PlacedInitial {
  /** The compound state, or null for the machine's own start. */
  parent: string | null;
  x: number;
  y: number;
  points: Array<{ x: number; y: number }>;
}

/** The machine laid out: states nested in their parents, edges between them. */
export interface ChartLayout {
  width: number;
  height: number;
  /** Parents before their children. */
  states: PlacedState[];
  edges: PlacedEdge[];
  initials: PlacedInitial[];
}

/** Sizes of text and boxes, in user units; the SVG's style draws text at these sizes. */
export const CHART_METRICS = {
  titleSize: 13,
  innerSize: 10.5,
  labelSize: 10.5,
  lineHeight: 14,
  padding: 8,
  initialRadius: 5,
} as const;

// A rough average advance of the sans-serif faces the style names, as a share of the font
// size: text is measured without a browser, so boxes are sized a little generously.
const CHAR_WIDTH = 0.62;
// Room beside an edge's label for " ×NN", so a job's counts never change the layout.
const COUNT_ROOM = 4;

/** The width `text` takes at `size`. */
export function textWidth(text: string, size: number): number {
  return Math.ceil([...text].length * size * CHAR_WIDTH);
}

const INITIAL_PREFIX = '__initial__';

let cached: Promise<ChartLayout> | undefined;

/**
 * The job machine laid out by ELK's layered algorithm, hierarchically (the compound states'
 * children inside them). The same for every job, so it is computed once per process.
 */
export function layoutJobMachine(machine: MachineDefinition): Promise<ChartLayout> {
  cached ??= layoutMachine(machine);
  return cached;
}

/** Lays out any machine definition (no cache). */
export async function layoutMachine(machine: MachineDefinition): Promise<ChartLayout> {
  const { nodes, inner } = buildNodes(machine);
  const between = machine.transitions.filter((t) => t.to !== null && t.to !== t.from);
  const edges: ElkExtendedEdge[] = between.map((t, i) => ({
    id: `e${i}`,
    sources: [t.from],
    targets: [t.to!],
    labels: [
      {
        id: `e${i}_label`,
        text: t.event,
        width: textWidth(`${t.event}${guardText(t)}`, CHART_METRICS.labelSize) + COUNT_ROOM * 7,
        height: CHART_METRICS.lineHeight,
      },
    ],
  }));
  const initialEdges: ElkExtendedEdge[] = [];
  const withInitial = (parent: string | null, initial: string, children: ElkNode[]) => {
    const id = `${INITIAL_PREFIX}${parent ?? ''}`;
    const size = CHART_METRICS.initialRadius * 2;
    children.unshift({ id, width: size, height: size });
    initialEdges.push({ id: `${id}_edge`, sources: [id], targets: [initial] });
  };
  withInitial(null, machine.initial, nodes.root);
  for (const state of machine.states) {
    if (state.initial) withInitial(state.id, state.initial, nodes.children.get(state.id)!);
  }
  const graph: ElkNode = {
    id: '__root__',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'DOWN',
      'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
      'elk.edgeRouting': 'ORTHOGONAL',
      'elk.layered.spacing.nodeNodeBetweenLayers': '30',
      'elk.spacing.nodeNode': '28',
      'elk.spacing.edgeEdge': '6',
      'elk.spacing.edgeLabel': '4',
      'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX',
      'elk.edgeLabels.inline': 'false',
      'elk.layered.mergeEdges': 'true',
      'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
      'elk.layered.spacing.edgeEdgeBetweenLayers': '6',
      'elk.layered.spacing.edgeNodeBetweenLayers': '8',
      'elk.layered.edgeLabels.sideSelection': 'SMART_DOWN',
      'elk.padding': '[top=16,left=16,bottom=16,right=16]',
    },
    children: nodes.root,
    edges: [...initialEdges, ...edges],
  };
  const placed = await runElkLayout(graph);
  return readLayout(machine, placed, between, inner);
}

function guardText(t: ChartTransition): string {
  return t.guard ? ` [${t.guard}]` : '';
}

function buildNodes(machine: MachineDefinition) {
  const inner = new Map<string, ChartTransition[]>();
  for (const t of machine.transitions) {
    if (t.to !== null && t.to !== t.from) continue;
    const list = inner.get(t.from) ?? [];
    list.push(t);
    inner.set(t.from, list);
  }
  const children = new Map<string, ElkNode[]>();
  const root: ElkNode[] = [];
  const { titleSize, innerSize, lineHeight, padding } = CHART_METRICS;
  for (const state of machine.states) {
    const name = nameOf(state);
    const lines = inner.get(state.id) ?? [];
    const widest = Math.max(
      textWidth(name, titleSize),
      ...lines.map((t) => textWidth(innerText(t), innerSize) + COUNT_ROOM * 6),
    );
    const header = titleSize + padding * 2 + lines.length * lineHeight;
    const isCompound = machine.states.some((s) => s.parent === state.id);
    const node: ElkNode = isCompound
      ? {
          id: state.id,
          layoutOptions: {
            'elk.padding': `[top=${header + padding},left=${padding * 2},bottom=${padding * 2},right=${padding * 2}]`,
            'elk.nodeSize.minimum': `(${widest + padding * 2}, ${header})`,
            'elk.nodeSize.constraints': 'MINIMUM_SIZE',
          },
        }
      : { id: state.id, width: widest + padding * 2, height: header };
    const siblings = state.parent === null ? root : children.get(state.parent);
    siblings?.push(node);
    if (isCompound) {
      node.children = [];
      children.set(state.id, node.children);
    }
  }
  return { nodes: { root, children }, inner };
}

/** A state's own name: the last part of its path. */
export function nameOf(state: Pick<ChartState, 'id'>): string {
  return state.id.split('.').at(-1)!;
}

/** The line drawn inside a state for a transition that keeps it there. */
export function innerText(t: ChartTransition): string {
  return `${t.event}${guardText(t)}`;
}

function readLayout(
  machine: MachineDefinition,
  placed: ElkNode,
  between: readonly ChartTransition[],
  inner: ReadonlyMap<string, ChartTransition[]>,
): ChartLayout {
  const origin = new Map<string, { x: number; y: number }>([['__root__', { x: 0, y: 0 }]]);
  const boxes = new Map<string, ElkNode & { ax: number; ay: number }>();
  const walk = (node: ElkNode, ox: number, oy: number) => {
    for (const child of node.children ?? []) {
      const ax = ox + (child.x ?? 0);
      const ay = oy + (child.y ?? 0);
      boxes.set(child.id, { ...child, ax, ay });
      origin.set(child.id, { x: ax, y: ay });
      walk(child, ax, ay);
    }
  };
  walk(placed, 0, 0);
  const states: PlacedState[] = machine.states.map((state) => {
    const box = boxes.get(state.id)!;
    return {
      state,
      x: box.ax,
      y: box.ay,
      width: box.width ?? 0,
      height: box.height ?? 0,
      inner: inner.get(state.id) ?? [],
    };
  });
  const edgesById = new Map((placed.edges ?? []).map((e) => [e.id, e]));
  const pointsOf = (edge: ElkExtendedEdge | undefined) => {
    if (!edge) return [];
    const at = origin.get((edge as { container?: string }).container ?? '__root__') ?? {
      x: 0,
      y: 0,
    };
    return (edge.sections ?? []).flatMap((s) =>
      [s.startPoint, ...(s.bendPoints ?? []), s.endPoint].map((p) => ({
        x: p.x + at.x,
        y: p.y + at.y,
      })),
    );
  };
  const edges: PlacedEdge[] = between.map((transition, i) => {
    const edge = edgesById.get(`e${i}`);
    const at = origin.get((edge as { container?: string } | undefined)?.container ?? '__root__')!;
    const label = edge?.labels?.[0];
    return {
      transition,
      key: transitionKey(transition),
      points: pointsOf(edge),
      label: {
        x: (label?.x ?? 0) + at.x,
        y: (label?.y ?? 0) + at.y,
        width: label?.width ?? 0,
        height: label?.height ?? 0,
      },
    };
  });
  const initials: PlacedInitial[] = [null, ...machine.states.map((s) => s.id)]
    .filter((parent) => boxes.has(`${INITIAL_PREFIX}${parent ?? ''}`))
    .map((parent) => {
      const id = `${INITIAL_PREFIX}${parent ?? ''}`;
      const box = boxes.get(id)!;
      const r = CHART_METRICS.initialRadius;
      return {
        parent,
        x: box.ax + r,
        y: box.ay + r,
        points: pointsOf(edgesById.get(`${id}_edge`)),
      };
    });
  return { width: placed.width ?? 0, height: placed.height ?? 0, states, edges, initials };
}
