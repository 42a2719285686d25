import type { JobChart } from './job-chart.js';
import {
  CHART_METRICS,
  type ChartLayout,
  innerText,
  layoutJobMachine,
  nameOf,
  type PlacedEdge,
  type PlacedState,
} from './job-chart.layout.js';
import { takenTransitionCounts, transitionKey, visitedStates } from './job-chart.taken.js';

/** What a drawing marks on the machine: where the job is, where it has been, what it took. */
export interface ChartMarks {
  /** The current state's id (a leaf, e.g. `processing.waiting`), or null. */
  current: string | null;
  /** Every state the job has been in, parents included. */
  visited: ReadonlySet<string>;
  /** Times each transition was taken, by `transitionKey`. */
  counts: ReadonlyMap<string, number>;
  /** The drawing's accessible title. */
  title: string;
}

/** A job's chart as an SVG document: the machine laid out by ELK, the job's path marked on it. */
export async function drawJobChart(chart: JobChart, jobId?: string): Promise<string> {
  const layout = await layoutJobMachine(chart.machine);
  const where = `${jobId ? `job ${jobId}` : 'the job'} is in ${chart.current.state}`;
  return renderChartSvg(layout, {
    current: chart.current.state,
    visited: visitedStates(chart.machine, chart.transitions),
    counts: takenTransitionCounts(chart.machine, chart.transitions),
    title: `The ${chart.machine.id} machine: ${where}`,
  });
}

/** Text or an attribute value made safe for XML. */
export function escapeXml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** Draws a laid-out machine with the given marks (pure: the same input, the same bytes). */
export function renderChartSvg(layout: ChartLayout, marks: ChartMarks): string {
  const width = Math.ceil(layout.width);
  const height = Math.ceil(layout.height);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="job-chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="job-chart-title">`,
    `<title id="job-chart-title">${escapeXml(marks.title)}</title>`,
    `<style>${CHART_STYLE}</style>`,
    '<defs>',
    marker('job-chart-arrow', 'arrow'),
    marker('job-chart-arrow-taken', 'arrow arrow-taken'),
    '</defs>',
    `<rect class="background" x="0" y="0" width="${width}" height="${height}"/>`,
  ];
  const children = new Map<string | null, PlacedState[]>();
  for (const placed of layout.states) {
    const list = children.get(placed.state.parent) ?? [];
    list.push(placed);
    children.set(placed.state.parent, list);
  }
  const drawStates = (parent: string | null) => {
    for (const placed of children.get(parent) ?? []) {
      parts.push(stateOpening(placed, marks));
      drawStates(placed.state.id);
      parts.push('</g>');
    }
  };
  parts.push('<g class="states">');
  drawStates(null);
  parts.push('</g>', '<g class="initials">');
  for (const initial of layout.initials) {
    parts.push(
      `<g class="initial" data-parent="${escapeXml(initial.parent ?? '')}">`,
      `<circle cx="${n(initial.x)}" cy="${n(initial.y)}" r="${CHART_METRICS.initialRadius}"/>`,
      `<path d="${pathOf(initial.points)}" marker-end="url(#job-chart-arrow)"/>`,
      '</g>',
    );
  }
  parts.push('</g>', '<g class="edges">');
  for (const edge of layout.edges) parts.push(edgeElement(edge, marks));
  parts.push('</g>', '</svg>');
  return `${parts.join('\n')}\n`;
}

function stateOpening(placed: PlacedState, marks: ChartMarks): string {
  const { state, x, y, width, height } = placed;
  const { titleSize, innerSize, lineHeight, padding } = CHART_METRICS;
  const classes = ['state', state.type];
  if (marks.visited.has(state.id)) classes.push('visited');
  if (marks.current === state.id) classes.push('current');
  else if (marks.current?.startsWith(`${state.id}.`)) classes.push('active');
  const lines = [
    `<g class="${classes.join(' ')}" data-state="${escapeXml(state.id)}">`,
    `<title>${escapeXml(state.id)}${marks.current === state.id ? ' (current)' : ''}</title>`,
    `<rect x="${n(x)}" y="${n(y)}" width="${n(width)}" height="${n(height)}" rx="6"/>`,
  ];
  if (state.type === 'final') {
    lines.push(
      `<rect class="final-ring" x="${n(x + 3)}" y="${n(y + 3)}" width="${n(width - 6)}" height="${n(height - 6)}" rx="4"/>`,
    );
  }
  lines.push(
    `<text class="state-name" x="${n(x + padding)}" y="${n(y + padding + titleSize - 2)}">${escapeXml(nameOf(state))}</text>`,
  );
  placed.inner.forEach((t, i) => {
    const count = marks.counts.get(transitionKey(t)) ?? 0;
    const baseline = y + padding * 2 + titleSize + i * lineHeight + innerSize - 3;
    lines.push(
      `<g class="${count > 0 ? 'edge internal taken' : 'edge internal'}" ${edgeData(t.from, t.from, t.event, count)}>`,
      `<title>${escapeXml(`${t.event} keeps ${t.from}${count > 0 ? `, taken ${count}×` : ''}`)}</title>`,
      `<text class="edge-label" x="${n(x + padding)}" y="${n(baseline)}">${escapeXml(`↺ ${innerText(t)}${countSuffix(count)}`)}</text>`,
      '</g>',
    );
  });
  return lines.join('\n');
}

function edgeElement(edge: PlacedEdge, marks: ChartMarks): string {
  const t = edge.transition;
  const count = marks.counts.get(edge.key) ?? 0;
  const label = `${t.event}${t.guard ? ` [${t.guard}]` : ''}${countSuffix(count)}`;
  const baseline = edge.label.y + edge.label.height - 3;
  return [
    `<g class="${count > 0 ? 'edge taken' : 'edge'}" ${edgeData(t.from, t.to!, t.event, count)}>`,
    `<title>${escapeXml(`${t.from} → ${t.to} on ${label}`)}</title>`,
    `<path d="${pathOf(edge.points)}" marker-end="url(#${count > 0 ? 'job-chart-arrow-taken' : 'job-chart-arrow'})"/>`,
    `<text class="edge-label" x="${n(edge.label.x)}" y="${n(baseline)}">${escapeXml(label)}</text>`,
    '</g>',
  ].join('\n');
}

function edgeData(from: string, to: string, event: string, count: number): string {
  const data = `data-from="${escapeXml(from)}" data-to="${escapeXml(to)}" data-event="${escapeXml(event)}"`;
  return count > 0 ? `${data} data-count="${count}"` : data;
}

function countSuffix(count: number): string {
  return count > 1 ? ` ×${count}` : '';
}

function marker(id: string, className: string): string {
  return `<marker id="${id}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path class="${className}" d="M0,0 L10,5 L0,10 z"/></marker>`;
}

function pathOf(points: ReadonlyArray<{ x: number; y: number }>): string {
  return points.map((p, i) => `${i === 0 ? 'M' : 'L'}${n(p.x)},${n(p.y)}`).join(' ');
}

/** A coordinate with at most one decimal. */
function n(value: number): string {
  return String(Math.round(value * 10) / 10);
}

// Colours by class, light and dark by the system's setting. Inside an <img> or opened alone
// this style applies; a page that inlines the SVG under `style-src 'self'` styles the same
// classes from its own stylesheet.
const CHART_STYLE = `
.job-chart{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
.job-chart .background{fill:#ffffff}
.job-chart .state>rect{fill:#ffffff;stroke:#94a3b8;stroke-width:1}
.job-chart .state.compound>rect{fill:#f8fafc}
.job-chart .state.final>rect.final-ring{fill:none}
.job-chart .state.visited>rect{stroke:#2563eb;fill:#eff6ff}
.job-chart .state.active>rect{stroke:#2563eb;stroke-width:2}
.job-chart .state.current>rect{fill:#fef3c7;stroke:#b45309;stroke-width:3}
.job-chart .state-name{font-size:${CHART_METRICS.titleSize}px;font-weight:600;fill:#0f172a}
.job-chart .edge path{fill:none;stroke:#94a3b8;stroke-width:1}
.job-chart .edge.taken path{stroke:#2563eb;stroke-width:2.5}
.job-chart .edge-label{font-size:${CHART_METRICS.labelSize}px;fill:#475569}
.job-chart .edge.taken>.edge-label{fill:#1d4ed8;font-weight:600}
.job-chart .arrow{fill:#94a3b8}
.job-chart .arrow-taken{fill:#2563eb}
.job-chart .initial circle{fill:#334155}
.job-chart .initial path{fill:none;stroke:#334155;stroke-width:1}
@media (prefers-color-scheme: dark){
.job-chart .background{fill:#0f172a}
.job-chart .state>rect{fill:#1e293b;stroke:#64748b}
.job-chart .state.compound>rect{fill:#111827}
.job-chart .state.final>rect.final-ring{fill:none}
.job-chart .state.visited>rect{stroke:#60a5fa;fill:#1e3a5f}
.job-chart .state.active>rect{stroke:#60a5fa}
.job-chart .state.current>rect{fill:#78350f;stroke:#fbbf24}
.job-chart .state-name{fill:#f1f5f9}
.job-chart .edge path{stroke:#64748b}
.job-chart .edge.taken path{stroke:#60a5fa}
.job-chart .edge-label{fill:#cbd5e1}
.job-chart .edge.taken>.edge-label{fill:#93c5fd}
.job-chart .arrow{fill:#64748b}
.job-chart .arrow-taken{fill:#60a5fa}
.job-chart .initial circle{fill:#e2e8f0}
.job-chart .initial path{stroke:#e2e8f0}
}`;
